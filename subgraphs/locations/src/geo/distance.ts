/**
 * Distance and driving-time math. Pure functions: the services and the nearest-depot SQL use the
 * same formulas, and the unit tests pin them to known city pairs.
 */

/** Mean Earth radius (IUGG), km: the usual choice for haversine. */
export const EARTH_RADIUS_KM = 6371.0088;

export interface Position {
  lat: number;
  lng: number;
}

/** How great-circle distances become road distances and driving times. */
export interface RoutePolicy {
  /** Road distance / great-circle distance; roads are never straight (1.3 is a common average). */
  roadFactor: number;
  averageSpeedKph: number;
}

export interface Route {
  distanceKm: number;
  durationMinutes: number;
}

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in km by the haversine formula. */
export function greatCircleKm(from: Position, to: Position): number {
  const dLat = radians(to.lat - from.lat);
  const dLng = radians(to.lng - from.lng);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(radians(from.lat)) * Math.cos(radians(to.lat)) * Math.sin(dLng / 2) ** 2;
  // min(1, ...) keeps rounding error from pushing asin out of its domain for antipodes.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Road distance in km, rounded to 10 m so that every caller (and every quote) sees the same figure. */
export function roadDistanceKm(greatCircle: number, policy: RoutePolicy): number {
  return Math.round(greatCircle * policy.roadFactor * 100) / 100;
}

/** Minutes at the average speed, rounded up: a distance of 0 takes 0 minutes. */
export function drivingMinutes(distanceKm: number, policy: RoutePolicy): number {
  const minutes = (distanceKm / policy.averageSpeedKph) * 60;
  // The epsilon keeps float noise (60.000000001) from adding a whole minute.
  return Math.max(0, Math.ceil(minutes - 1e-9));
}

export function routeBetween(from: Position, to: Position, policy: RoutePolicy): Route {
  const distanceKm = roadDistanceKm(greatCircleKm(from, to), policy);
  return { distanceKm, durationMinutes: drivingMinutes(distanceKm, policy) };
}

/** A latitude band and one or two longitude ranges (two when the box crosses the antimeridian). */
export interface BoundingBox {
  minLat: number;
  maxLat: number;
  lngRanges: [number, number][];
}

/**
 * The smallest lat/lng box that holds every point within `radiusKm` (great-circle) of `center`:
 * an index-friendly prefilter before the exact distance is computed. Near a pole the box spans
 * every longitude.
 */
export function boundingBox(center: Position, radiusKm: number): BoundingBox {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const dLat = (angular * 180) / Math.PI;
  const minLat = center.lat - dLat;
  const maxLat = center.lat + dLat;
  if (minLat <= -90 || maxLat >= 90 || angular >= Math.PI / 2) {
    return { minLat: Math.max(-90, minLat), maxLat: Math.min(90, maxLat), lngRanges: [[-180, 180]] };
  }
  // The widest longitude offset is reached off the centre's parallel (Matuschek, "Finding Points Within a Distance").
  const ratio = Math.sin(angular) / Math.cos(radians(center.lat));
  const dLng = ratio >= 1 ? 180 : (Math.asin(ratio) * 180) / Math.PI;
  const west = center.lng - dLng;
  const east = center.lng + dLng;
  if (dLng >= 180) return { minLat, maxLat, lngRanges: [[-180, 180]] };
  if (west < -180)
    return {
      minLat,
      maxLat,
      lngRanges: [
        [west + 360, 180],
        [-180, east],
      ],
    };
  if (east > 180)
    return {
      minLat,
      maxLat,
      lngRanges: [
        [west, 180],
        [-180, east - 360],
      ],
    };
  return { minLat, maxLat, lngRanges: [[west, east]] };
}
