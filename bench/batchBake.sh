#!/usr/bin/env bash
# Batch-bake parallel speed-up (issue #16): bench/batchBake.sh . — 8 espeak-ng clips at 44.1 kHz, `bake --in-dir` with --jobs 1 and 2 twice, and a two-thread spin control before and after (two threads as fast as one = two idle cores). Needs dist/ (npm run build), espeak-ng, sox, bc.
set -euo pipefail
cd "$1"
t=$(mktemp -d)
mkdir -p "$t/clips"
for k in 1 2 3 4 5 6 7 8; do
  espeak-ng -v en-us -s 150 -w "$t/s$k.wav" "Clip number $k. The quick brown fox jumps over the lazy dog, and the studio bakes its dialogue in parallel on every core." 
  sox "$t/s$k.wav" -r 44100 "$t/clips/c$k.wav" repeat 11 2>/dev/null
done
sox "$t/clips/c1.wav" -n stat 2>&1 | grep Length
spin() { node -e "const {Worker}=require('worker_threads');const n=+process.argv[1];const t0=Date.now();let d=0;for(let i=0;i<n;i++){const w=new Worker('let x=0;for(let i=0;i<1e9;i++)x+=i;',{eval:true});w.on('exit',()=>{if(++d===n)console.log('spin',n,'threads',(Date.now()-t0)/1000,'s')})}" $1; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
spin 1; spin 2
for j in 1 2 1 2; do
  rm -rf "$t/out"
  s=$(date +%s.%N)
  /usr/bin/time -f "cpu %U user %S sys, maxrss %M KB" node dist/cli.js bake --in-dir "$t/clips" --out-dir "$t/out" --jobs $j > "$t/log" 2>"$t/err" || { cat "$t/err"; exit 1; }
  e=$(date +%s.%N)
  echo "jobs $j: wall $(echo "$e - $s" | bc) s; $(tail -1 $t/err); $(tail -1 $t/log); load $(cut -d' ' -f1-3 /proc/loadavg)"
done
spin 1; spin 2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$t"
