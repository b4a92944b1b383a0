#!/usr/bin/env bash
# Bench audio with sharp, known onsets (sox + espeak-ng), 44.1 kHz 16-bit mono, into ${1:-bench/tmp/audio}:
#   syllables.wav  "pa", "ta", "ka", "ma" (espeak-ng, silence trimmed) x 3, 0.7 s of silence before each
#   open.wav       lip-opening onsets only: "pa", "ta", "ka", "a" x 4, a different silence before each
#                  (0.70 / 0.78 / 0.86 / 0.94 s) so the onset intervals tell which syllable an onset is;
#                  open.labels.json lists the syllables and their onsets in the file
#   nasal.wav      bilabial-nasal onsets only: "ma" x 8, 0.7 s of silence before each (the lips stay shut
#                  through /m/: no visible change until the vowel, reported apart from the onset budget)
#   clicks.wav     a 5 ms 1 kHz tone burst every 0.6 s, 15 times
#   speech.wav     a 5 s sentence (inference cost per second of audio)
#   soak.wav       ~30 s of continuous speech: sentences and syllables, 0.4 s pauses (loops on the fake mic)
set -euo pipefail
out=${1:-bench/tmp/audio}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fmt=(-r 44100 -b 16 -c 1)
sox -n "${fmt[@]}" "$tmp/gap07.wav" trim 0 0.7
sox -n "${fmt[@]}" "$tmp/gap04.wav" trim 0 0.4
say() { # text → trimmed wav at 44.1 kHz
  espeak-ng -s 150 -w "$tmp/raw.wav" "$1"
  sox "$tmp/raw.wav" "${fmt[@]}" "$2" silence 1 0.005 0.3% reverse silence 1 0.005 0.3% reverse
}
parts=()
for rep in 1 2 3; do
  for syl in pa ta ka ma; do
    [ -f "$tmp/$syl.wav" ] || say "$syl" "$tmp/$syl.wav"
    parts+=("$tmp/gap07.wav" "$tmp/$syl.wav")
  done
done
sox "${parts[@]}" "$tmp/gap07.wav" "$out/syllables.wav"
[ -f "$tmp/a.wav" ] || say "ah" "$tmp/a.wav"
parts=()
labels=()
gaps=(0.70 0.78 0.86 0.94)
for rep in 1 2 3 4; do
  i=0
  for syl in pa ta ka a; do
    sox -n "${fmt[@]}" "$tmp/gap-$i.wav" trim 0 "${gaps[$i]}"
    parts+=("$tmp/gap-$i.wav" "$tmp/$syl.wav")
    labels+=("$syl")
    i=$((i + 1))
  done
done
sox "${parts[@]}" "$tmp/gap07.wav" "$out/open.wav"
parts=()
for rep in 1 2 3 4 5 6 7 8; do parts+=("$tmp/gap07.wav" "$tmp/ma.wav"); done
sox "${parts[@]}" "$tmp/gap07.wav" "$out/nasal.wav"
# Labels beside the onsets the bench's detector finds in the file (bench/lib/onsetDetector.ts).
node --import tsx bench/lib/labelOnsets.ts "$out/open.wav" "${labels[@]}" >"$out/open.labels.json"
sox -n "${fmt[@]}" "$tmp/click.wav" synth 0.005 sine 1000 vol 0.8
sox -n "${fmt[@]}" "$tmp/gap-click.wav" trim 0 0.595
parts=()
for i in $(seq 15); do parts+=("$tmp/gap-click.wav" "$tmp/click.wav"); done
sox "${parts[@]}" "$tmp/gap-click.wav" "$out/clicks.wav"
say "The quick brown fox jumps over the lazy dog, and papa bought a big map." "$out/speech.wav"
parts=()
i=0
while IFS= read -r line; do
  i=$((i + 1))
  say "$line" "$tmp/s$i.wav"
  parts+=("$tmp/gap04.wav" "$tmp/s$i.wav")
done <<'TEXT'
Please call Stella.
Ask her to bring these things from the store.
Six spoons of fresh snow peas.
pa ta ka ma
Five thick slabs of blue cheese.
Maybe a snack for her brother Bob.
We also need a small plastic snake.
ba da ga
And a big toy frog for the kids.
She can scoop these things into three red bags.
Papa bought a big map.
We will go meet her Wednesday at the train station.
TEXT
sox "${parts[@]}" "$tmp/gap04.wav" "$out/soak.wav"
for f in "$out"/*.wav; do printf '%s %ss\n' "$(basename "$f")" "$(soxi -D "$f")"; done
