/** Name the capture AudioWorklet processor registers under (shared by the worklet and its owner). */
export const CAPTURE_PROCESSOR_NAME = 'perceptual-lipsync-capture';
