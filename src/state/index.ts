// Public surface of the live-state reader.
export { readLiveSandbox, readLiveState, LIVE_QUERIES } from './read.ts';
export {
  parseBaseConnection,
  parseSourceConnection,
  parseTargetConnection,
  parseFlow,
  parseSegmentSelectors,
  parseAttributeSelectors,
  parseLastWrite,
  isDestinationFlow,
} from './parse.ts';
