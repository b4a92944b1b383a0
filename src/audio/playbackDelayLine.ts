/**
 * The delay line a played source's sound goes through, so it is heard only when its lips are ready:
 * source → DelayNode → output gate (GainNode) → destination. The gate mutes the delayed sound when streamed
 * speech is cut off (`interrupt()`) until the delay line has drained.
 */

/** Fade of the played sound at a cut, seconds: "at once", without a click. */
export const INTERRUPT_FADE_SEC = 0.003;
/** Longest delay the line supports, seconds. */
const MAX_DELAY_SEC = 2;

/** Disconnects one connection we made, if it exists (a failed start may not have made it). */
export function safeDisconnect(from: AudioNode, to: AudioNode): void {
  try {
    from.disconnect(to);
  } catch {
    // not connected
  }
}

/** A delay line and output gate between a played source and where it is heard. */
export class PlaybackDelayLine {
  /** The delay (`delayTime` = the playback delay). */
  readonly delay: DelayNode;
  /** The output gate after the delay. */
  readonly gate: GainNode;
  private readonly _source: AudioNode;

  /**
   * Connects `source` → delay → gate → `destination`.
   * @param context defines the AudioContext
   * @param source defines the played source's node
   * @param destination defines where the sound is heard
   * @param delaySec defines the delay, seconds (≤ 2)
   */
  constructor(context: BaseAudioContext, source: AudioNode, destination: AudioNode, delaySec: number) {
    this._source = source;
    this.delay = context.createDelay(MAX_DELAY_SEC);
    this.delay.delayTime.value = delaySec;
    this.gate = context.createGain();
    source.connect(this.delay).connect(this.gate).connect(destination);
  }

  /**
   * Fades the output out now (`INTERRUPT_FADE_SEC`) and opens it again at `reopenSec`: the delayed sound
   * already in the line is not heard.
   * @param nowSec defines the audio clock now
   * @param reopenSec defines when the output is heard again (the cut plus the delay)
   */
  muteUntil(nowSec: number, reopenSec: number): void {
    const gain = this.gate.gain;
    gain.cancelScheduledValues(nowSec);
    gain.setValueAtTime(gain.value, nowSec);
    gain.linearRampToValueAtTime(0, nowSec + INTERRUPT_FADE_SEC);
    gain.setValueAtTime(1, reopenSec);
  }

  /** Disconnects everything this line connected. */
  dispose(): void {
    safeDisconnect(this._source, this.delay);
    this.delay.disconnect();
    this.gate.disconnect();
  }
}
