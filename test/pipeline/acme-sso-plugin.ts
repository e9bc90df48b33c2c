/** A source module (`ingest({ sourceModules })`): importing it registers ACME_SSO in the importing thread. */
import { registerAcmeSso } from './acme-sso.js';

registerAcmeSso();
