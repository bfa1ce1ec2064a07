#!/usr/bin/env python3
"""Writes a slice of Fashion-MNIST (Debian package dataset-fashion-mnist) as JSON Lines for
`./quiver compare`: one record per image, the 784 pixel values (0..255) as the vector, and
metadata derived from the label, so filters have something real to select on:

  label     integer 0..9
  category  the class name ("T-shirt/top", "Trouser", ...)
  kind      list of strings, e.g. ["clothing", "upper-body"] or ["footwear"]
  ink       decimal: share of non-zero pixels (0..1, 3 decimals)
  season    "winter" or "summer" for some classes; missing for the others

Usage: scripts/fashion-mnist-jsonl.py [COUNT] > fashion-mnist.jsonl   (default COUNT 5000, the first
images of the training set). Install the data with scripts/bench-setup.sh.
"""
import gzip
import json
import struct
import sys

DIR = "/usr/share/datasets/fashion-mnist"
NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
         "Ankle boot"]
KIND = {0: ["clothing", "upper-body"], 1: ["clothing", "lower-body"], 2: ["clothing", "upper-body"],
        3: ["clothing"], 4: ["clothing", "upper-body", "outerwear"], 5: ["footwear"],
        6: ["clothing", "upper-body"], 7: ["footwear"], 8: ["accessory"], 9: ["footwear"]}
SEASON = {4: "winter", 2: "winter", 9: "winter", 5: "summer", 0: "summer"}


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with gzip.open(f"{DIR}/train-images-idx3-ubyte.gz", "rb") as images, \
            gzip.open(f"{DIR}/train-labels-idx1-ubyte.gz", "rb") as labels:
        magic, n, rows, cols = struct.unpack(">IIII", images.read(16))
        if magic != 2051:
            sys.exit("unexpected image file header")
        magic, n_labels = struct.unpack(">II", labels.read(8))
        if magic != 2049 or n_labels != n:
            sys.exit("unexpected label file header")
        size = rows * cols
        out = sys.stdout
        for i in range(min(count, n)):
            pixels = images.read(size)
            label = labels.read(1)[0]
            metadata = {"label": label, "category": NAMES[label], "kind": KIND[label],
                        "ink": round(sum(1 for p in pixels if p) / size, 3)}
            if label in SEASON:
                metadata["season"] = SEASON[label]
            out.write(json.dumps({"id": f"train-{i:05d}", "vector": list(pixels), "metadata": metadata},
                                 separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
