// The obviously fake secret values `npm start` gives the example manifests (manifests/) when it runs
// them against the embedded emulator. Never real credentials; tests use the same values.
export const DEMO_SECRET_ENV: Readonly<Record<string, string>> = {
  KINESIS_ACCESS_KEY_ID: 'AKIAEXAMPLEFAKE00001',
  KINESIS_SECRET_KEY: 'fake-kinesis-secret-for-the-emulator',
  KINESIS_DEV_ACCESS_KEY_ID: 'AKIAEXAMPLEFAKE00002',
  KINESIS_DEV_SECRET_KEY: 'fake-kinesis-dev-secret-for-the-emulator',
  EVENTHUB_SAS_KEY: 'fake-eventhub-sas-key-for-the-emulator',
  EVENTHUB_DEV_SAS_KEY: 'fake-eventhub-dev-sas-key-for-the-emulator',
  FLOWSYNC_CLIENT_SECRET: 'emulator-secret',
};
