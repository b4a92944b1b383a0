// Types for the parts of @met4citizen/headaudio the bench uses (the package ships plain .mjs).
declare module '@met4citizen/headaudio/modules/headaudio.mjs' {
  export class HeadAudio extends AudioWorkletNode {
    constructor(
      context: BaseAudioContext,
      options?: { processorOptions?: Record<string, unknown>; parameterData?: Record<string, number> },
    );
    onvalue: ((key: string, value: number) => void) | null;
    loadModel(url: string, reset?: boolean): Promise<void>;
    update(dtMs: number): void;
    start(): void;
    stop(): void;
  }
}
