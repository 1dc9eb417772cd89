// Imported first by the router's modules: @apollo/gateway reads APOLLO_TELEMETRY_DISABLED when it
// is constructed and otherwise plans metric uploads to Apollo. No packet may leave this machine.
import { disableTelemetry } from '@flow/core';

disableTelemetry();
