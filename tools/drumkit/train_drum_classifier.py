#!/usr/bin/python3
"""Trains the drum transcriber's onset classifier and writes its weight table.

Input: CSV files written by drum_feature_dump (one row per detected onset: song, time, one 0/1
label per output group, then the features). Output: a C++ include with the feature standardisation,
the weights of a one-hidden-layer tanh perceptron with sigmoid outputs, and one decision threshold
per group, chosen on the validation files to maximise that group's F1.

    train_drum_classifier.py --train a.csv b.csv --valid c.csv --out drum_classifier_weights.inc

Needs only numpy. Deterministic for a given --seed.
"""
import argparse
import sys

import numpy as np

GROUPS = ["kick", "snare", "tom", "closed hat", "open hat", "crash", "ride"]
# evaluate.py's five classes as unions of groups.
CLASSES = {"kick": [0], "snare": [1], "hi-hat": [3, 4], "tom": [2], "cymbal": [5, 6]}


def load(paths):
    labels, features, refs = [], [], []
    for path in paths:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(",")
                if line.startswith("#"):
                    refs.append([int(x) for x in parts[1:1 + len(GROUPS)]])
                    continue
                labels.append([int(x) for x in parts[2:2 + len(GROUPS)]])
                features.append([float(x) for x in parts[2 + len(GROUPS):]])
    return (np.array(features, np.float64), np.array(labels, np.float64),
            np.array(refs, np.int64).sum(0))


def forward(params, x):
    w1, b1, w2, b2 = params
    h = np.tanh(x @ w1.T + b1)
    return h, 1.0 / (1.0 + np.exp(-np.clip(h @ w2.T + b2, -40, 40)))


def train(x, y, hidden, epochs, decay, seed):
    rng = np.random.default_rng(seed)
    n, f = x.shape
    g = y.shape[1]
    params = [rng.normal(0, 1 / np.sqrt(f), (hidden, f)), np.zeros(hidden),
              rng.normal(0, 1 / np.sqrt(hidden), (g, hidden)), np.zeros(g)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    rate, beta1, beta2 = 0.01, 0.9, 0.999
    for step in range(1, epochs + 1):
        h, p = forward(params, x)
        d_out = (p - y) / n                      # binary cross-entropy through the sigmoid
        d_hidden = (d_out @ params[2]) * (1 - h * h)
        grads = [d_hidden.T @ x + decay * params[0], d_hidden.sum(0),
                 d_out.T @ h + decay * params[2], d_out.sum(0)]
        for i, grad in enumerate(grads):
            moments[i] = beta1 * moments[i] + (1 - beta1) * grad
            squares[i] = beta2 * squares[i] + (1 - beta2) * grad * grad
            params[i] -= rate * (moments[i] / (1 - beta1 ** step)) / (np.sqrt(squares[i] / (1 - beta2 ** step)) + 1e-8)
    return params


def f1(tp, n_est, n_ref):
    p = tp / max(1, n_est)
    r = tp / max(1, n_ref)
    return 2 * p * r / max(1e-12, p + r)


def decide(prob, thresholds):
    present = prob >= thresholds
    for a, b in ((3, 4), (5, 6)):                 # one hi-hat and one cymbal per onset
        both = present[:, a] & present[:, b]
        present[both & (prob[:, a] >= prob[:, b]), b] = False
        present[both & (prob[:, a] < prob[:, b]), a] = False
    return present


def class_scores(present, labels, refs):
    scores, total = {}, np.zeros(3)
    for name, groups in CLASSES.items():
        est = present[:, groups].any(1)
        truth = labels[:, groups].sum(1)
        tp = np.minimum(truth, est).sum()         # an onset carries at most one note per group
        row = np.array([tp, est.sum(), refs[groups].sum()])
        scores[name] = f1(*row)
        total += row
    scores["overall"] = f1(*total)
    return scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--valid", nargs="+", required=True)
    ap.add_argument("--test", nargs="*", default=[], help="only scored, never used for choices")
    ap.add_argument("--hidden", type=int, default=24)
    ap.add_argument("--epochs", type=int, default=1500)
    ap.add_argument("--decay", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()

    x, y, refs = load(a.train)
    xv, yv, refs_v = load(a.valid)
    print(f"train: {len(x)} onsets, candidate recall per group "
          + " ".join(f"{g}={y[:, i].sum() / max(1, refs[i]):.3f}" for i, g in enumerate(GROUPS)))
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-6] = 1.0
    standard = lambda v: (v - mean) / scale
    params = train(standard(x), y, a.hidden, a.epochs, a.decay, a.seed)

    _, pv = forward(params, standard(xv))
    thresholds = np.full(len(GROUPS), 0.5)
    for g in range(len(GROUPS)):
        best = (-1, 0.5)
        for t in np.arange(0.1, 0.91, 0.05):
            est = pv[:, g] >= t
            best = max(best, (f1((est * yv[:, g]).sum(), est.sum(), refs_v[g]), t))
        thresholds[g] = best[1]
    print("thresholds " + " ".join(f"{g}={t:.2f}" for g, t in zip(GROUPS, thresholds)))

    def report(name, xs, ys, rs):
        _, p = forward(params, standard(xs))
        s = class_scores(decide(p, thresholds), ys, rs)
        print(f"{name}: " + " ".join(f"{k} {v:.3f}" for k, v in s.items()))

    report("train", x, y, refs)
    report("valid", xv, yv, refs_v)
    for path in a.test:
        report(path, *load([path]))

    if a.out:
        w1, b1, w2, b2 = params
        fmt = lambda v: ", ".join(f"{float(z):.6g}f" for z in np.ravel(v))
        rows = lambda m: ",\n    ".join("{" + fmt(r) + "}" for r in m)
        text = [
            "// Generated by tools/drumkit/train_drum_classifier.py from drum_feature_dump exports of",
            "// songs rendered with tools/drumkit/make_training_songs.sh. Do not edit: regenerate.",
            f"constexpr int kTrainedFeatureCount = {x.shape[1]};",
            f"constexpr int kTrainedGroupCount = {len(GROUPS)};",
            f"constexpr int kHiddenUnits = {a.hidden};",
            f"constexpr float kFeatureMean[{x.shape[1]}] = {{{fmt(mean)}}};",
            f"constexpr float kFeatureInverseScale[{x.shape[1]}] = {{{fmt(1 / scale)}}};",
            f"constexpr float kHiddenWeights[{a.hidden}][{x.shape[1]}] = {{\n    {rows(w1)}}};",
            f"constexpr float kHiddenBias[{a.hidden}] = {{{fmt(b1)}}};",
            f"constexpr float kOutputWeights[{len(GROUPS)}][{a.hidden}] = {{\n    {rows(w2)}}};",
            f"constexpr float kOutputBias[{len(GROUPS)}] = {{{fmt(b2)}}};",
            f"constexpr float kThreshold[{len(GROUPS)}] = {{{fmt(thresholds)}}};",
        ]
        with open(a.out, "w") as f:
            f.write("\n".join(text) + "\n")
        print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.exit(main())
