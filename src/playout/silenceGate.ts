/**
 * Digital silence shows the rest pose: a muted microphone, an idle WebRTC track or zero padding in a
 * clip carries no speech, yet a generator may map its constant log-mel floor to a slightly open mouth.
 * The gate is far below any voice (−80 dBFS), so quiet speech and pauses keep the model's lips.
 */

/** Frame speech RMS (linear full scale) below which a frame is digital silence: 1e-4, −80 dBFS. */
export const DIGITAL_SILENCE_RMS = 1e-4;

/**
 * @param speechRms defines a frame's speech RMS (linear full scale)
 * @returns true for digital silence (non-finite values count as silence: they carry no speech)
 */
export function isDigitalSilence(speechRms: number): boolean {
  return !(speechRms >= DIGITAL_SILENCE_RMS);
}
