// The demo data of `npm start` and the compose `seed` job (README "The demo market").
export { loginLines } from './logins';
export { demoHospitals, demoOrders, demoVendors, ST_MARY_MAIN_CAMPUS, type DemoOrder } from './market';
export { describeDemoSeed, seedDemoMarket, type DemoSeedReport } from './seed';
// For tests of the parts alone.
export { DemoApi } from './api';
export { seedReviews } from './reviews';
