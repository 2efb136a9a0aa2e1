#!/usr/bin/python3
"""Scores `midistems split --model dsp` on the songgen test songs with songgen's evaluate.py.

Prints SDR (Music Demixing Challenge definition) per song and stem, the mean per stem, and the
mixture-as-estimate baseline from `evaluate.py --sanity`; fails unless the DSP separator beats
that baseline, silence (0 dB) and a regression floor of 2 dB on the mean of every stem
(measured at the time of writing: drums 4.3, bass 3.1, vocals 7.0, other 3.9).

usage: score_songgen.py MIDISTEMS SONGS_DIR EVALUATE_PY SCRATCH_DIR
"""
import json
import os
import subprocess
import sys

STEMS = ["drums", "bass", "vocals", "other"]
FLOOR_DB = 2.0


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED ({result.returncode}): {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    midistems, songs_dir, evaluate, scratch = sys.argv[1:]
    songs = sorted(d for d in os.listdir(songs_dir) if d.startswith("song_"))
    if not songs:
        sys.exit(f"no songs in {songs_dir}")
    scores = {s: [] for s in STEMS}
    baseline = {s: [] for s in STEMS}
    print(f"{'song':8s} " + " ".join(f"{s:>8s}" for s in STEMS) + "   (SDR_mdx, dB)")
    for song in songs:
        ref = os.path.join(songs_dir, song)
        out = os.path.join(scratch, song)
        run([midistems, "split", os.path.join(ref, "mixture.wav"), "-o", out, "--model", "dsp",
             "--bits", "32f", "--json"])
        est_json = os.path.join(scratch, song + ".json")
        run(["/usr/bin/python3", evaluate, "--ref", ref, "--est-audio", out, "--no-bss", "--json", est_json])
        san_json = os.path.join(scratch, song + ".sanity.json")
        run(["/usr/bin/python3", evaluate, "--ref", ref, "--sanity", "--no-bss", "--json", san_json])
        audio = json.load(open(est_json))["audio"]
        mixture = json.load(open(san_json))["sanity"]["audio_mixture_baseline"]
        for s in STEMS:
            scores[s].append(audio[s]["SDR_mdx"])
            baseline[s].append(mixture[s]["SDR_mdx"])
        print(f"{song:8s} " + " ".join(f"{audio[s]['SDR_mdx']:8.2f}" for s in STEMS))
    mean = {s: sum(v) / len(v) for s, v in scores.items()}
    base = {s: sum(v) / len(v) for s, v in baseline.items()}
    print(f"{'mean':8s} " + " ".join(f"{mean[s]:8.2f}" for s in STEMS))
    print(f"{'mixture':8s} " + " ".join(f"{base[s]:8.2f}" for s in STEMS) + "   (baseline: mixture as every stem)")
    failed = [s for s in STEMS if not (mean[s] > base[s] and mean[s] > 0.0 and mean[s] >= FLOOR_DB)]
    if failed:
        sys.exit(f"FAILED: mean SDR below the mixture baseline, silence or {FLOOR_DB} dB on {failed}")
    print(f"OK: every stem beats the mixture baseline, silence and {FLOOR_DB} dB")


if __name__ == "__main__":
    main()
