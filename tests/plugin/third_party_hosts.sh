#!/usr/bin/env bash
# The plugin in third-party hosts from Debian. One check per call:
#   third_party_hosts.sh jalv      LV2_BUNDLE URI WORK_DIR   jalv on a dummy JACK server of its own,
#                                                            a note from jack_midiseq, recorded with
#                                                            jack_rec: pitch and level checked
#   third_party_hosts.sh lv2info   LV2_BUNDLE URI            lv2info lists it as an instrument
#   third_party_hosts.sh validate  LV2_BUNDLE                sord_validate (lv2_validate) finds no error
#   third_party_hosts.sh ardour    VST3_BUNDLE WORK_DIR      Ardour's VST3 scanner loads it
# A missing tool prints "[  SKIPPED ]" with its name (CTest shows the test as skipped).
set -uo pipefail
check="$1"
shift

skip() {
  echo "[  SKIPPED ] $*"
  exit 0
}
fail() {
  echo "FAILED: $*"
  exit 1
}
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || skip "$tool is not installed (bash scripts/setup.sh installs it)"
  done
}

case "$check" in
  lv2info)
    need lv2info
    bundle=$(realpath "$1") uri="$2"
    out=$(LV2_PATH="$(dirname "$bundle"):/usr/lib/lv2" lv2info "$uri" 2>&1) || fail "lv2info: $out"
    echo "$out" | head -5
    echo "$out" | grep -Eq "^[[:space:]]*Class:[[:space:]]+Instrument Plugin" || fail "lv2info does not list it as an instrument"
    echo "$out" | grep -q "lv2core#hardRTCapable" || fail "lv2info does not list it as hard real-time capable"
    ;;
  validate)
    need sord_validate lv2_validate
    bundle=$(realpath "$1")
    out=$(lv2_validate "$bundle"/*.ttl 2>&1)
    echo "$out" | tail -3
    echo "$out" | grep -q "^Found 0 errors" || fail "lv2_validate reports errors in the plugin's Turtle files"
    echo "$out" | grep -q "^error" && fail "lv2_validate reports errors in the plugin's Turtle files"
    ;;
  ardour)
    scanner=/usr/lib/ardour7/ardour-vst3-scanner
    need "$scanner"
    bundle=$(realpath "$1") work="$2"
    rm -rf "$work" && mkdir -p "$work"
    out=$(cd "$work" && HOME="$work" LD_LIBRARY_PATH=/usr/lib/ardour7 timeout 60 "$scanner" -f "$bundle" 2>&1)
    status=$?
    echo "$out" | tail -20
    [ $status -eq 0 ] || fail "ardour-vst3-scanner exited with $status"
    cache=$(find "$work" "$bundle" -name "*.v3i" 2>/dev/null | head -1)
    [ -n "$cache" ] || fail "ardour-vst3-scanner wrote no .v3i cache"
    grep -q "<VST3Info" "$cache" || fail "the scanner's cache names no plugin"
    grep -q 'name="Midistems"' "$cache" || fail "the scanner's cache does not name Midistems"
    grep -q 'category="Instrument' "$cache" || fail "the scanner does not see an instrument"
    grep -q 'n_outputs="2"' "$cache" || fail "the scanner does not see a stereo output"
    grep -q 'n_midi_inputs="1"' "$cache" || fail "the scanner does not see a MIDI input"
    ;;
  jalv)
    need jackd jalv jack_rec jack_midiseq jack_connect jack_lsp
    bundle=$(realpath "$1") uri="$2" work="$3"
    rm -rf "$work" && mkdir -p "$work"
    # A server of our own, by a name no other run uses; clients find it through JACK_DEFAULT_SERVER.
    export JACK_DEFAULT_SERVER="midistems-test-$$-$RANDOM"
    export JACK_NO_AUDIO_RESERVATION=1
    pids=()
    cleanup() {
      exec 3>&- 2>/dev/null
      for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
      wait 2>/dev/null
    }
    trap cleanup EXIT
    jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 256 >"$work/jackd.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do jack_lsp >/dev/null 2>&1 && break; sleep 0.2; done
    jack_lsp >/dev/null 2>&1 || fail "jackd did not start: $(cat "$work/jackd.log")"
    # jalv reads commands from stdin: a pipe held open until the end.
    mkfifo "$work/commands"
    LV2_PATH="$(dirname "$bundle"):/usr/lib/lv2" jalv -n synth "$uri" <"$work/commands" >"$work/jalv.log" 2>&1 &
    pids+=($!)
    exec 3>"$work/commands"
    for _ in $(seq 100); do jack_lsp 2>/dev/null | grep -q "^synth:" && break; sleep 0.2; done
    ports=$(jack_lsp 2>/dev/null | grep "^synth:")
    [ -n "$ports" ] || fail "jalv did not start: $(cat "$work/jalv.log")"
    midi_in=$(jack_lsp -t 2>/dev/null | grep -A1 "^synth:" | grep -B1 "midi" | grep "^synth:" | head -1)
    outs=$(jack_lsp -t 2>/dev/null | grep -A1 "^synth:" | grep -B1 "audio" | grep "^synth:" | grep -iv "in" | head -2)
    [ -n "$midi_in" ] || fail "jalv has no MIDI input port: $ports"
    [ "$(echo "$outs" | wc -l)" -eq 2 ] || fail "jalv has not two audio outputs: $ports"
    # The factory preset "Round Sub Bass" (a triangle with a sine an octave under it), chosen
    # from the host's preset list.
    preset=$(grep -B3 'rdfs:label "Round Sub Bass"' "$bundle/manifest.ttl" | grep -o "<[^>]*:preset[0-9]*>" | tr -d "<>")
    [ -n "$preset" ] || fail "the bundle's manifest lists no preset Round Sub Bass"
    echo "preset $preset" >&3
    sleep 0.5
    # A5 (MIDI 81) held for 1.5 s of every 2 s loop: a triangle at 880 Hz over a sine at 440 Hz,
    # a waveform that repeats at 440 Hz.
    jack_midiseq seq 96000 0 81 72000 >"$work/seq.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do jack_lsp 2>/dev/null | grep -q "^seq:" && break; sleep 0.2; done
    jack_connect "seq:out" "$midi_in" || fail "cannot connect the sequencer to $midi_in"
    # shellcheck disable=SC2086
    timeout 20 jack_rec -f "$work/recording.wav" -d 3 -b 32 $outs >"$work/rec.log" 2>&1 || fail "jack_rec failed: $(cat "$work/rec.log")"
    /usr/bin/python3 - "$work/recording.wav" <<'PY' || exit 1
import sys
import numpy as np
import soundfile as sf
x, rate = sf.read(sys.argv[1], dtype="float64")
left = x[:, 0]
level = np.max(np.abs(left))
print(f"peak {20 * np.log10(level + 1e-12):.1f} dBFS")
if not (level > 0.01 and level < 1.0):
    sys.exit(f"FAILED: peak {level} is not between -40 dBFS and full scale")
# The loudest 0.5 s: the held note.
frame = rate // 2
rms = [np.sqrt(np.mean(left[i:i + frame] ** 2)) for i in range(0, len(left) - frame, rate // 20)]
start = int(np.argmax(rms)) * (rate // 20)
seg = left[start:start + frame]
print(f"level {20 * np.log10(np.max(rms)):.1f} dBFS RMS")
# The preset's master gain is -16 dB: the note sits well under full scale, well over silence.
if not (-40 < 20 * np.log10(np.max(rms)) < -10):
    sys.exit("FAILED: the note's level is outside -40 .. -10 dBFS RMS")
# Pitch by autocorrelation, interpolated between lags.
seg = seg - seg.mean()
ac = np.correlate(seg, seg, mode="full")[len(seg) - 1:]
lo, hi = int(rate / 2000), int(rate / 50)
lag = lo + int(np.argmax(ac[lo:hi]))
a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
lag = lag + 0.5 * (a - c) / (a - 2 * b + c)
f0 = rate / lag
print(f"pitch {f0:.2f} Hz")
if abs(f0 - 440.0) > 0.5:
    sys.exit(f"FAILED: pitch {f0:.2f} Hz, expected 440 Hz")
PY
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
echo "passed: $check"
