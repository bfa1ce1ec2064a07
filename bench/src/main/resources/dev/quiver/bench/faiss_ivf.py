"""FAISS IndexIVFFlat / IndexIVFPQ (faiss-cpu from PyPI) as the IVF peers: same protocol as dev.quiver.bench.Worker.

Engines: ivf-flat (IndexIVFFlat), ivf-pq (IndexIVFPQ, its PQ estimates only), ivf-pq-refine (IndexIVFPQ
inside IndexRefineFlat: the best rerank candidates by PQ estimate re-ranked with the stored floats, as
Quiver's IVF-PQ does). The coarse quantiser is IndexFlatL2 (IndexFlatIP for inner products); cosine
normalises the vectors and uses inner products. Training uses the first --train-n vectors (the number
Quiver trains at), with the same k-means iterations as Quiver (--niter for the lists and the PQ).
"""
import os
import sys
import time

import numpy as np


def read_vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        return np.zeros((0, 0), dtype=dtype)
    dim = raw[0]
    rows = raw.reshape(-1, dim + 1)
    return rows[:, 1:].copy().view(dtype) if dtype == np.float32 else rows[:, 1:].copy()


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def recall(res, gt, k):
    total = 0.0
    for r, g in zip(res, gt):
        kk = min(k, len(g))
        total += len(set(r[:k].tolist()) & set(g[:kk].tolist())) / kk
    return total / len(gt)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main():
    a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    try:
        import faiss
    except ImportError as e:
        print(f"UNAVAILABLE\tfaiss is not installed in this Python ({e}); run scripts/faiss-venv.sh", flush=True)
        return 0
    simd = a.get("--simd", "AVX2").upper()
    level = "default"
    if hasattr(faiss, "SIMDConfig") and faiss.SIMDConfig.has_dynamic_dispatch():
        faiss.SIMDConfig.set_level(getattr(faiss, "SIMDLevel_" + simd))
        level = faiss.SIMDConfig.get_level_name()
    engine = a["--engine"]
    d = a["--dir"]
    metric = a["--metric"]
    k = int(a.get("--k", "10"))
    min_s = float(a.get("--min-seconds", "1"))
    threads = int(a.get("--threads", str(os.cpu_count())))
    nprobes = [int(x) for x in a["--efs"].split(",") if x]
    nlist = int(a["--nlist"])
    m = int(a.get("--pq-m", "0"))
    bits = int(a.get("--pq-bits", "8"))
    rerank = int(a.get("--rerank", "100"))
    niter = int(a.get("--niter", "10"))
    base = read_vecs(os.path.join(d, "base.fvecs"), np.float32)
    n, dim = base.shape
    train_n = min(n, int(a.get("--train-n", str(n))))
    ip = metric in ("COSINE", "DOT_PRODUCT")
    if metric == "COSINE":
        faiss.normalize_L2(base)
    faiss.omp_set_num_threads(threads)
    rss0 = rss()
    t0 = time.perf_counter()
    quantizer = faiss.IndexFlatIP(int(dim)) if ip else faiss.IndexFlatL2(int(dim))
    mt = faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2
    if engine == "ivf-flat":
        ivf = faiss.IndexIVFFlat(quantizer, int(dim), nlist, mt)
    else:
        ivf = faiss.IndexIVFPQ(quantizer, int(dim), nlist, m, bits, mt)
        ivf.pq.cp.niter = niter
    ivf.cp.niter = niter
    index = faiss.IndexRefineFlat(ivf) if engine == "ivf-pq-refine" else ivf
    index.train(base[:train_n])
    train_s = time.perf_counter() - t0
    step = 10000
    for lo in range(0, n, step):
        index.add(base[lo:min(n, lo + step)])
        print(f"  build faiss-{engine} ({n} vectors): {min(n, lo + step)}/{n}", file=sys.stderr, flush=True)
    build = time.perf_counter() - t0
    rss1 = rss()
    index_bytes = faiss.serialize_index(ivf).nbytes
    print(f"NOTES\tfaiss {faiss.__version__} (faiss-cpu, PyPI), SIMD level {level}, numpy {np.__version__}, "
          f"Python {sys.version.split()[0]}; trained on the first {train_n} vectors, {niter} k-means iterations; "
          + (f"re-ranks the best {rerank} (k_factor {rerank / k:g}); " if engine == "ivf-pq-refine" else "")
          + "memory is the process RSS delta, index bytes the serialized IVF index (ids are 8 bytes)", flush=True)
    print(f"TRAIN\t{train_s:.3f}\t{index_bytes}", flush=True)
    print(f"BUILD\t{build:.3f}\t{rss1 - rss0}\t{n}\t{dim}", flush=True)
    queries = read_vecs(os.path.join(d, "queries.fvecs"), np.float32)
    gt = read_vecs(os.path.join(d, "gt.ivecs"), np.int32)
    queries = np.ascontiguousarray(queries[: len(gt)])
    if metric == "COSINE":
        faiss.normalize_L2(queries)

    def params(nprobe):
        if engine == "ivf-pq-refine":
            return faiss.IndexRefineSearchParameters(k_factor=rerank / k, base_index_params=faiss.SearchParametersIVF(nprobe=nprobe))
        return faiss.SearchParametersIVF(nprobe=nprobe)

    faiss.omp_set_num_threads(1)
    p0 = params(nprobes[0])
    for q in queries[:200]:
        index.search(q.reshape(1, -1), k, params=p0)
    for nprobe in nprobes:
        p = params(nprobe)
        faiss.omp_set_num_threads(1)
        res = []
        s = time.perf_counter()
        rates = []
        for rep in range(20):
            ps = time.perf_counter()
            for q in queries:
                _, labels = index.search(q.reshape(1, -1), k, params=p)
                if rep == 0:
                    res.append(labels[0])
            rates.append(len(queries) / (time.perf_counter() - ps))
            if time.perf_counter() - s >= min_s and len(rates) >= 3:
                break
        qps1 = median(rates)
        # FAISS parallelises inside a batched call: the batch is its "all cores" number
        faiss.omp_set_num_threads(threads)
        s = time.perf_counter()
        rates = []
        for rep in range(20):
            ps = time.perf_counter()
            index.search(queries, k, params=p)
            rates.append(len(queries) / (time.perf_counter() - ps))
            if time.perf_counter() - s >= min_s and len(rates) >= 3:
                break
        qpsn = median(rates)
        print(f"SWEEP\t{nprobe}\t{recall(res, gt, k):.5f}\t{qps1:.2f}\t{qpsn:.2f}", flush=True)
        print(f"  search faiss-{engine}: nprobe={nprobe} done", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
