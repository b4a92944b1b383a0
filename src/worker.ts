// Build entry `dist/worker.js` (see src/assetUrls.ts for why entries sit at the root of src/).
import './worker/lipSyncWorker.ts';
