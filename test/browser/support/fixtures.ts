// URLs of the generated test fixtures (scripts/make-test-fixtures), shared by the browser tests.

const GENERATED = new URL('../../fixtures/generated/', import.meta.url);

/** Tiny seeded-random generator + tiny random metric encoders: exercises the chain, measures nothing. */
export const TINY_MANIFEST = new URL('tiny-generator/manifest.json', GENERATED).href;
/** The tiny generator without metric encoders. */
export const TINY_GENERATOR_ONLY = new URL('tiny-generator/generator-only.json', GENERATED).href;
/** 0.5 s silence, ~4 s of espeak-ng speech, 1.5 s silence, 22.05 kHz (also the fake microphone's file). */
export const MIC_SPEECH_WAV = new URL('mic-speech.wav', GENERATED).href;
/** ~12 s of espeak-ng speech in several utterances. */
export const OFFSET_SPEECH_WAV = new URL('offset-speech.wav', GENERATED).href;
