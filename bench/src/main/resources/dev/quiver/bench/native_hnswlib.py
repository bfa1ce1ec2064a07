"""Native hnswlib (Debian's python3-hnswlib) as the ceiling: same protocol as dev.quiver.bench.Worker."""
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
        import hnswlib
    except ImportError:
        print("UNAVAILABLE\tpython3-hnswlib is not installed (run scripts/bench-setup.sh)", flush=True)
        return 0
    d = a["--dir"]
    metric = a["--metric"]
    k = int(a.get("--k", "10"))
    min_s = float(a.get("--min-seconds", "1"))
    threads = int(a.get("--threads", str(os.cpu_count())))
    efs = [int(x) for x in a["--efs"].split(",") if x]
    space = {"EUCLIDEAN": "l2", "COSINE": "cosine", "DOT_PRODUCT": "ip"}[metric]
    base = read_vecs(os.path.join(d, "base.fvecs"), np.float32)
    n, dim = base.shape
    rss0 = rss()
    t0 = time.perf_counter()
    index = hnswlib.Index(space=space, dim=int(dim))
    index.init_index(max_elements=n, ef_construction=int(a["--efc"]), M=int(a["--m"]), random_seed=100)
    index.set_num_threads(threads)
    step = 5000
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        index.add_items(base[lo:hi], np.arange(lo, hi), num_threads=threads)
        print(f"  build hnswlib-native ({n} vectors): {hi}/{n}", file=sys.stderr, flush=True)
    build = time.perf_counter() - t0
    try:
        from importlib.metadata import version
        hv = version("hnswlib")
    except Exception:
        hv = getattr(hnswlib, "__version__", "?")
    rss1 = rss()
    print(f"NOTES\thnswlib {hv} (Debian python3-hnswlib), numpy {np.__version__}, "
          f"Python {sys.version.split()[0]}; memory is the process RSS delta, not a heap delta", flush=True)
    print(f"BUILD\t{build:.3f}\t{rss1 - rss0}\t{n}\t{dim}", flush=True)
    queries = read_vecs(os.path.join(d, "queries.fvecs"), np.float32)
    gt = read_vecs(os.path.join(d, "gt.ivecs"), np.int32)
    queries = queries[: len(gt)]
    index.set_ef(efs[0])
    for q in queries[:200]:
        index.knn_query(q.reshape(1, -1), k=k, num_threads=1)
    for ef in efs:
        index.set_ef(max(ef, k))
        res = []
        s = time.perf_counter()
        rates = []
        for p in range(20):
            ps = time.perf_counter()
            for q in queries:
                labels, _ = index.knn_query(q.reshape(1, -1), k=k, num_threads=1)
                if p == 0:
                    res.append(labels[0])
            rates.append(len(queries) / (time.perf_counter() - ps))
            if time.perf_counter() - s >= min_s and len(rates) >= 3:
                break
        qps1 = median(rates)
        # all cores: one query per call from the caller's side is the Java harness's model too, but hnswlib
        # only parallelises inside a batched call, so the batch is the fair "all cores" number here
        s = time.perf_counter()
        rates = []
        for p in range(20):
            ps = time.perf_counter()
            index.knn_query(queries, k=k, num_threads=threads)
            rates.append(len(queries) / (time.perf_counter() - ps))
            if time.perf_counter() - s >= min_s and len(rates) >= 3:
                break
        qpsn = median(rates)
        print(f"SWEEP\t{ef}\t{recall(res, gt, k):.5f}\t{qps1:.2f}\t{qpsn:.2f}", flush=True)
        print(f"  search hnswlib-native: ef={ef} done", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
