#!/bin/bash
# A real single-node Slurm cluster (slurmctld, slurmd, munge from the Debian packages), started in a
# temporary folder and stopped at the end whatever happens. It runs contrib/slurm/midistems-array.sbatch
# as a 2-task array over 12 songs (8 s cuts of the songgen songs) and 2 bad files, cancels one array
# task with scancel while it is in the middle of an item, submits the array again, and checks:
# every song's outputs are byte-identical to a single-process `midistems run` of it, the bad files
# are reported as failed with their errors, no temporary folder or file is left, and the merged
# report counts are right. Skipped (visibly) when the Slurm packages are missing.
#
#   slurm_array_test.sh MIDISTEMS SOURCE_DIR SONGS_DIR
set -u
MIDISTEMS=$1 SOURCE_DIR=$2 SONGS_DIR=$3

skip() { echo "[  SKIPPED ] slurm array test: $*"; exit 0; }
fail() { echo "[  FAILED  ] slurm array test: $*"; [ -n "${T:-}" ] && tail -n 20 "$T"/log/*.log 2>/dev/null; exit 1; }
for tool in slurmctld slurmd sbatch squeue scancel munged mungekey sox; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null 2>&1 ||
    skip "$tool not installed (apt-get install slurmctld slurmd slurm-client munge sox)"
done
export PATH=$PATH:/usr/sbin
[ "$(id -u)" -eq 0 ] || skip "needs root (the daemons run as SlurmUser=root)"
[ -f "$SONGS_DIR/song_00/mixture.wav" ] || skip "songgen songs not found in $SONGS_DIR"

T=$(mktemp -d -t midistems-slurm-XXXXXX)
chmod 700 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/songs"
stop_cluster() {
  # Jobs first, so that no job step outlives the daemons; then the daemons; then any step daemon
  # of this cluster that is still there (it holds files in $T).
  if [ -n "${SLURM_CONF:-}" ] && [ -s "$T/slurmctld.pid" ]; then
    scancel --quiet --partition=test 2>/dev/null
    for _ in $(seq 40); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
  done
  for pidfile in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    for _ in $(seq 50); do [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  for pid in $(pgrep -x slurmstepd); do
    ls -l "/proc/$pid/cwd" "/proc/$pid/fd" 2>/dev/null | grep -q "$T" && kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$T"
}
trap stop_cluster EXIT

# munge with a key of our own, on a socket of our own.
mungekey --create --keyfile="$T/munge/munge.key" --bits=1024 || fail "mungekey"
chmod 400 "$T/munge/munge.key"
munged --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/log/munged.log" --seed-file="$T/munge/munged.seed" --force || fail "munged did not start"

# Two free ports, and the machine's CPUs and memory for the node.
read -r CTLD_PORT SLURMD_PORT < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
CPUS=$(nproc)
MEM_MB=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
cat > "$T/slurm.conf" <<CONF
ClusterName=midistemstest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
KillWait=10
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N localhost || fail "slurmd did not start"
for _ in $(seq 100); do
  sinfo -h -n localhost -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 0.3
done
sinfo -h -n localhost -o %t | grep -qE '^(idle|mix|alloc)' || fail "the node did not come up: $(sinfo 2>&1)"
echo "slurm: cluster up (ports $CTLD_PORT, $SLURMD_PORT; $CPUS CPUs)"

# 12 songs: three 8 s cuts of each of the four songgen songs; 2 bad files.
n=0
for song in "$SONGS_DIR"/song_0[0-3]; do
  for start in 0 8 16; do
    sox "$song/mixture.wav" "$T/songs/cut_$(printf %02d $n).wav" trim "$start" 8 || fail "sox"
    n=$((n + 1))
  done
done
printf 'RIFF this is not audio' > "$T/songs/broken.wav"
: > "$T/songs/empty.flac"
{
  echo "# 12 songs and 2 bad files"
  for f in "$T"/songs/cut_*.wav; do basename "$f"; done
  echo broken.wav
  echo empty.flac
} > "$T/songs/manifest.txt"
OUT=$T/out
OPTIONS="--model dsp --offline --threads 1"

submit() {
  sbatch --parsable --array=0-1 --cpus-per-task=1 --mem=1G --chdir="$T/songs" --output="$T/log/task-%A_%a.log" \
    --export=ALL,MANIFEST=manifest.txt,OUT="$OUT",MIDISTEMS="$MIDISTEMS",MIDISTEMS_ARGS="$OPTIONS" \
    "$SOURCE_DIR/contrib/slurm/midistems-array.sbatch" || fail "sbatch: $(cat "$T"/log/slurmctld.log | tail -3)"
}
wait_job() {  # until no task of job $1 is pending or running (at most $2 seconds)
  for _ in $(seq $(($2 * 2))); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  fail "job $1 still running after $2 s: $(squeue)"
}

JOB=$(submit)
echo "slurm: submitted array job $JOB"
# Cancel task 1 in the middle of an item: once it has finished one item and has a temporary folder
# of the next one.
REPORT1=$OUT/.batch/reports/shard-0001-of-0002.jsonl
cancelled=""
for _ in $(seq 600); do
  if [ -s "$REPORT1" ]; then
    pid=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["pid"])' "$REPORT1")
    if compgen -G "$OUT/.*~partial~*~$pid" >/dev/null; then
      sleep 1
      scancel "${JOB}_1" && cancelled=yes
      break
    fi
  fi
  sleep 0.2
done
[ -n "$cancelled" ] || fail "task 1 never had an item in progress to cancel"
echo "slurm: cancelled task ${JOB}_1 during an item"
wait_job "$JOB" 300
grep -q '"status":"interrupted"' "$REPORT1" || fail "the cancelled task reported no interrupted item: $(cat "$REPORT1")"
compgen -G "$OUT/.*~partial~*" >/dev/null && fail "the cancelled task left a temporary folder: $(ls -a "$OUT")"
done_before=$(ls "$OUT" | wc -l)
[ "$done_before" -lt 12 ] || fail "nothing was left to do after the cancel ($done_before folders)"

JOB2=$(submit)
echo "slurm: submitted again as $JOB2 ($done_before items were done)"
wait_job "$JOB2" 300
grep -h . "$T"/log/task-"$JOB2"_*.log | grep -E '^shard' || true

# Outputs against a single-process `midistems run` of each song with the same options.
# The single-process runs, two at a time.
running=0
for f in "$T"/songs/cut_*.wav; do
  name=$(basename "$f" .wav)
  "$MIDISTEMS" run "$f" -o "$T/ref/$name" $OPTIONS --quiet >"$T/log/ref-$name.log" 2>&1 &
  running=$((running + 1))
  [ $((running % 2)) -eq 0 ] && wait
done
wait
mismatch=0
for f in "$T"/songs/cut_*.wav; do
  name=$(basename "$f" .wav)
  folder=$(ls -d "$OUT/$name"-* 2>/dev/null)
  [ -n "$folder" ] && [ -f "$folder/midistems-batch.json" ] || { echo "no finished folder for $name"; mismatch=1; continue; }
  [ -f "$T/ref/$name/$name.preview.wav" ] || fail "midistems run $name: $(cat "$T/log/ref-$name.log")"
  (cd "$T/ref/$name" && find . -type f | sort | xargs sha256sum) > "$T/ref.sum"
  (cd "$folder" && find . -type f ! -name midistems-batch.json | sort | xargs sha256sum) > "$T/batch.sum"
  cmp -s "$T/ref.sum" "$T/batch.sum" || { echo "$name differs:"; diff "$T/ref.sum" "$T/batch.sum"; mismatch=1; }
  # The completion record lists exactly these files and hashes.
  /usr/bin/python3 - "$folder" "$T/batch.sum" <<'PY' || mismatch=1
import json, sys
record = json.load(open(sys.argv[1] + "/midistems-batch.json"))
listed = sorted((o["sha256"], "./" + o["path"]) for o in record["outputs"])
summed = sorted(tuple(line.split()) for line in open(sys.argv[2]))
if listed != summed:
    sys.exit("record does not match the files: %s vs %s" % (listed, summed))
PY
done
[ "$mismatch" -eq 0 ] || fail "batch outputs differ from midistems run"

leftovers=$(find "$OUT" -name '*~partial~*' -o -name '*~old~*' -o -name '.*.partial-*')
[ -z "$leftovers" ] || fail "temporary files left: $leftovers"
folders=$(ls "$OUT" | wc -l)
[ "$folders" -eq 12 ] || fail "expected 12 item folders, found $folders: $(ls "$OUT")"

"$MIDISTEMS" batch report "$OUT" --json > "$T/report.json" || fail "batch report"
"$MIDISTEMS" batch report "$OUT"
/usr/bin/python3 - "$T/report.json" <<'PY' || fail "merged report"
import json, sys
r = json.load(open(sys.argv[1]))
checks = [r["items"] == 14, r["done"] == 12, r["failed"] == 2, r["interrupted"] == 0, r["damaged_lines"] == 0,
          r["made"] >= 12, r["reports"] == 2]
errors = {f["input"]: f["error"] for f in r["failures"]}
checks += [set(errors) == {"broken.wav", "empty.flac"},
           "broken.wav" in errors.get("broken.wav", "") and "not a readable audio file" in errors.get("broken.wav", ""),
           "empty.flac" in errors.get("empty.flac", "")]
if not all(checks):
    sys.exit("unexpected report: %s (checks %s)" % (json.dumps(r), checks))
PY
echo "[  PASSED  ] slurm array test: 12 songs identical to midistems run after a cancelled task and a resubmission"
