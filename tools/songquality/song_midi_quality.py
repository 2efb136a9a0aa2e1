#!/usr/bin/python3
"""song_midi_quality.py - song -> MIDI quality of `midistems` on songgen songs, as one table.

Renders songs with ../shared/tools/songgen/make_songs.py (cached: a song folder that already
holds its manifest is not rendered again), then for every song:
  clean    `midistems transcribe STEM.wav` on each clean stem (kind chosen by the file name)
  run      `midistems run mixture.wav --model dsp --offline` (DSP separator), its MIDI split into
           one file per track (bass, vocals, other, drums)
  alone    `midistems transcribe --kind pitched mixture.wav` (basic-pitch on the mixture)
and scores them with ../shared/tools/songgen/evaluate.py's note scores (mir_eval, 50 ms onsets,
offsets within max(50 ms, 20 % of the note)). "all pitched" pools bass, vocals and other, on both
sides. Each figure is the mean over the songs, with the worst song named.

    /usr/bin/python3 tools/songquality/song_midi_quality.py SONGS_DIR [--midistems build/bin/midistems]
        [--set fluidr3:2027:4 --set timgm6mb:3031:4] [--transcribe-args "--engine basic-pitch"]
        [--only-clean] [--json results.json]

A set is SOUNDFONT:SEED:N with SOUNDFONT fluidr3 or timgm6mb (/usr/share/sounds/sf2/...), or a
path to an .sf2 file. CPU seconds of `transcribe` (whole process, user + system) per second of
audio are printed per stem. Needs /usr/bin/python3 with numpy, mido and mir_eval, fluidsynth and
the SoundFonts (Debian: fluidsynth fluid-soundfont-gm timgm6mb-soundfont).
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SOUNDFONTS = {"fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2", "timgm6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2"}
PITCHED = ["bass", "vocals", "other"]
STEMS = PITCHED + ["drums"]


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def call(cmd, log):
    before = child_cpu()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(shlex.quote(c) for c in cmd)}\n{p.stdout}")
    log.write(p.stdout)
    return child_cpu() - before


def render_songs(shared, songs_dir, sets):
    songs = []
    for spec in sets:
        font, seed, n = spec.split(":")
        sf2 = SOUNDFONTS.get(font, font)
        name = os.path.splitext(os.path.basename(sf2))[0].lower() if font not in SOUNDFONTS else font
        out = os.path.join(songs_dir, f"{name}_{seed}")
        wanted = [os.path.join(out, f"song_{i:02d}") for i in range(int(n))]
        if not all(os.path.isfile(os.path.join(d, "manifest.json")) for d in wanted):
            subprocess.run(["/usr/bin/python3", os.path.join(shared, "tools/songgen/make_songs.py"), "--n", n,
                            "--seed", seed, "--sf2", sf2, "--out", out], check=True, stdout=subprocess.DEVNULL)
        songs += [(f"{name}:{seed}/{os.path.basename(d)}", d) for d in wanted]
    return songs


def split_tracks(midi_path, out_dir):
    """One file per named track of a type-1 file (with the tempo track), named after the track."""
    import mido
    mf = mido.MidiFile(midi_path)
    tempo = [t for t in mf.tracks if not any(m.type == "note_on" for m in t)]
    for track in mf.tracks:
        if not any(m.type == "note_on" for m in track):
            continue
        name = next((m.name for m in track if m.type == "track_name"), "").strip().lower()
        one = mido.MidiFile(type=1, ticks_per_beat=mf.ticks_per_beat)
        one.tracks.extend(tempo[:1] + [track])
        one.save(os.path.join(out_dir, f"{name}.mid"))


def pooled(ev, notes_by_stem, est_notes):
    ref = [(n["onset"], n["offset"], n["pitch"], n["velocity"], n["channel"])
           for s in PITCHED for n in notes_by_stem[s]]
    return ev.note_scores(ref, est_notes)


def score_song(ev, cli, song_dir, work, extra, only_clean, log):
    man = ev.load_manifest(song_dir)
    dur = man["duration_s"]
    res = {"clean": {}, "cpu_per_s": {}}
    clean = os.path.join(work, "clean")
    os.makedirs(clean, exist_ok=True)
    for s in STEMS:
        wav = os.path.join(song_dir, man["audio"][s])
        cpu = call([cli, "transcribe", "-q", "--threads", "1", wav, "-o", os.path.join(clean, f"{s}.mid")] + extra, log)
        res["cpu_per_s"][s] = cpu / dur
    res["clean"] = ev.eval_midi(clean, man)
    est = [n for s in PITCHED for n in ev.read_midi_notes(os.path.join(clean, f"{s}.mid"))]
    res["clean_all"] = pooled(ev, man["notes"], est)
    if only_clean:
        return res
    run_dir = os.path.join(work, "run")
    call([cli, "run", "-q", "--model", "dsp", "--offline", os.path.join(song_dir, man["audio"]["mixture"]),
          "-o", run_dir], log)
    per_track = os.path.join(work, "run_tracks")
    os.makedirs(per_track, exist_ok=True)
    split_tracks(os.path.join(run_dir, "mixture.transcribed.mid"), per_track)
    res["run"] = ev.eval_midi(per_track, man)
    est = []
    for s in PITCHED:
        p = os.path.join(per_track, f"{s}.mid")
        if os.path.isfile(p):
            est += ev.read_midi_notes(p)
    res["run_all"] = pooled(ev, man["notes"], est)
    alone = os.path.join(work, "alone.mid")
    call([cli, "transcribe", "-q", "--kind", "pitched", os.path.join(song_dir, man["audio"]["mixture"]),
          "-o", alone], log)
    res["alone_all"] = pooled(ev, man["notes"], ev.read_midi_notes(alone))
    return res


def mean_worst(rows, get):
    vals = [(get(r), name) for name, r in rows]
    vals = [(v, n) for v, n in vals if v is not None]
    if not vals:
        return None
    m = sum(v for v, _ in vals) / len(vals)
    w = min(vals)
    return m, w


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("songs", help="folder where rendered songs are cached")
    ap.add_argument("--midistems", default=os.path.join(REPO, "build/bin/midistems"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"))
    ap.add_argument("--set", action="append", dest="sets", help="SOUNDFONT:SEED:N (default fluidr3:2027:4 and "
                    "timgm6mb:3031:4)")
    ap.add_argument("--transcribe-args", default="", help="extra arguments for the clean-stem transcriptions")
    ap.add_argument("--only-clean", action="store_true", help="clean stems only (no run, no mixture baseline)")
    ap.add_argument("--json", help="write every score here")
    a = ap.parse_args()
    sets = a.sets or ["fluidr3:2027:4", "timgm6mb:3031:4"]
    sys.path.insert(0, os.path.join(a.shared, "tools/songgen"))
    import evaluate as ev

    os.makedirs(a.songs, exist_ok=True)
    songs = render_songs(a.shared, a.songs, sets)
    extra = shlex.split(a.transcribe_args)
    rows = []
    with tempfile.TemporaryDirectory(prefix="song_midi_quality_") as tmp, \
            open(os.path.join(tmp, "log.txt"), "w") as log:
        for i, (name, d) in enumerate(songs):
            work = os.path.join(tmp, f"{i:02d}")
            os.makedirs(work)
            r = score_song(ev, a.midistems, d, work, extra, a.only_clean, log)
            rows.append((name, r))
            c = r["clean"]
            line = " ".join(f"{s} {c[s]['onset']['F1']:.2f}/{c[s]['onset_offset']['F1']:.2f}" for s in PITCHED)
            if "run" in r:
                line += f" | run all {r['run_all']['onset']['F1']:.2f} alone {r['alone_all']['onset']['F1']:.2f}"
            print(f"{name:24s} clean {line}", flush=True)

    def f1(*path):
        def get(r):
            x = r
            for k in path:
                if not isinstance(x, dict) or k not in x:
                    return None
                x = x[k]
            return x
        return get

    table = []
    for s in PITCHED:
        table.append((f"clean {s}, onset F1", f1("clean", s, "onset", "F1")))
        table.append((f"clean {s}, onset+offset F1", f1("clean", s, "onset_offset", "F1")))
    table.append(("clean drums, class onset F1", f1("clean", "drums", "onset_class", "F1")))
    table.append(("clean, all pitched notes, onset F1", f1("clean_all", "onset", "F1")))
    if not a.only_clean:
        for s in PITCHED:
            table.append((f"run (DSP), {s}, onset F1", f1("run", s, "onset", "F1")))
        table.append(("run (DSP), drums, class onset F1", f1("run", "drums", "onset_class", "F1")))
        table.append(("run (DSP), all pitched notes, onset F1", f1("run_all", "onset", "F1")))
        table.append(("basic-pitch alone on the mixture, all pitched, onset F1", f1("alone_all", "onset", "F1")))

        def ratio(r):
            alone = r["alone_all"]["onset"]["F1"]
            return r["run_all"]["onset"]["F1"] / alone if alone > 0 else None
        table.append(("ratio run / basic-pitch alone, all pitched onset F1", ratio))
    for s in STEMS:
        table.append((f"transcribe CPU s per s of audio, {s}", lambda r, s=s: -r["cpu_per_s"][s]))

    print(f"\n{len(rows)} songs ({', '.join(sets)}); mean and worst song")
    print(f"{'figure':58s} {'mean':>7s} {'worst':>7s}  worst song")
    for label, get in table:
        mw = mean_worst(rows, get)
        if mw is None:
            continue
        (m, (w, wn)) = mw
        if label.startswith("transcribe CPU"):
            m, w = -m, -w  # the worst CPU figure is the largest
        print(f"{label:58s} {m:7.3f} {w:7.3f}  {wn}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({name: r for name, r in rows}, f, indent=1, default=lambda v: None)


if __name__ == "__main__":
    main()
