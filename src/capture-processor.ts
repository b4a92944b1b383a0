// Build entry `dist/capture-processor.js` (see src/assetUrls.ts for why entries sit at the root of src/).
import './audio/captureProcessor.worklet.ts';
