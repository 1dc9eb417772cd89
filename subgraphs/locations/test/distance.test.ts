import {
  boundingBox,
  drivingMinutes,
  greatCircleKm,
  roadDistanceKm,
  routeBetween,
  type Position,
} from '../src/geo/distance';

const cities: Record<string, Position> = {
  nairobi: { lat: -1.28333, lng: 36.81667 },
  mombasa: { lat: -4.05466, lng: 39.66359 },
  london: { lat: 51.50853, lng: -0.12574 },
  paris: { lat: 48.85341, lng: 2.3488 },
  newYork: { lat: 40.71427, lng: -74.00597 },
  losAngeles: { lat: 34.05223, lng: -118.24368 },
  mumbai: { lat: 19.07283, lng: 72.88261 },
  delhi: { lat: 28.65195, lng: 77.23149 },
};
const policy = { roadFactor: 1.3, averageSpeedKph: 50 };

describe('greatCircleKm', () => {
  it.each([
    ['nairobi', 'mombasa', 440],
    ['london', 'paris', 344],
    ['newYork', 'losAngeles', 3936],
    ['mumbai', 'delhi', 1153],
  ])('%s - %s is about %d km', (from, to, km) => {
    expect(greatCircleKm(cities[from]!, cities[to]!)).toBeGreaterThan(km * 0.99);
    expect(greatCircleKm(cities[from]!, cities[to]!)).toBeLessThan(km * 1.01);
  });

  it('is symmetric, zero for one point and half the circumference for antipodes', () => {
    const { nairobi, mombasa } = cities;
    expect(greatCircleKm(nairobi!, mombasa!)).toBeCloseTo(greatCircleKm(mombasa!, nairobi!), 9);
    expect(greatCircleKm(nairobi!, nairobi!)).toBe(0);
    expect(greatCircleKm({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6371.0088, 6);
    expect(greatCircleKm({ lat: 90, lng: 0 }, { lat: -90, lng: 0 })).toBeCloseTo(Math.PI * 6371.0088, 6);
  });

  it('measures across the antimeridian the short way', () => {
    expect(greatCircleKm({ lat: 0, lng: 179.9 }, { lat: 0, lng: -179.9 })).toBeCloseTo(22.24, 1);
  });
});

describe('road distance and driving time', () => {
  it('multiplies by the road factor and rounds to 10 m', () => {
    expect(roadDistanceKm(100, policy)).toBe(130);
    expect(roadDistanceKm(12.3456, { ...policy, roadFactor: 1 })).toBe(12.35);
  });

  it('rounds minutes up, without float noise adding a minute, and 0 km takes 0 minutes', () => {
    expect(drivingMinutes(0, policy)).toBe(0);
    expect(drivingMinutes(50, policy)).toBe(60);
    expect(drivingMinutes(50.01, policy)).toBe(61);
    expect(drivingMinutes(0.01, policy)).toBe(1);
    // 0.7 / 42 * 60 is 0.9999999999999999 in floating point
    expect(drivingMinutes(0.7, { ...policy, averageSpeedKph: 42 })).toBe(1);
    expect(drivingMinutes(3.5, { ...policy, averageSpeedKph: 3.5 })).toBe(60);
  });

  it('Nairobi - Mombasa takes about 11.5 hours on the road at 50 km/h', () => {
    const route = routeBetween(cities.nairobi!, cities.mombasa!, policy);
    expect(route.distanceKm).toBeCloseTo(440 * 1.3, -1);
    expect(route.durationMinutes).toBe(Math.ceil((route.distanceKm / 50) * 60));
    expect(route.durationMinutes).toBeGreaterThan(680);
    expect(route.durationMinutes).toBeLessThan(695);
  });
});

describe('boundingBox', () => {
  const contains = (box: ReturnType<typeof boundingBox>, p: Position) =>
    p.lat >= box.minLat &&
    p.lat <= box.maxLat &&
    box.lngRanges.some(([west, east]) => p.lng >= west && p.lng <= east);

  /** Points on the circle of `radius` around `center` (destination-point formula). */
  function circle(center: Position, radius: number, steps = 360): Position[] {
    const R = 6371.0088;
    const d = radius / R;
    const lat1 = (center.lat * Math.PI) / 180;
    const lng1 = (center.lng * Math.PI) / 180;
    return Array.from({ length: steps }, (_, i) => {
      const bearing = (2 * Math.PI * i) / steps;
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing));
      const lng2 =
        lng1 +
        Math.atan2(
          Math.sin(bearing) * Math.sin(d) * Math.cos(lat1),
          Math.cos(d) - Math.sin(lat1) * Math.sin(lat2),
        );
      const lng = (((lng2 * 180) / Math.PI + 540) % 360) - 180;
      return { lat: (lat2 * 180) / Math.PI, lng };
    });
  }

  it.each([
    ['Nairobi, 200 km', cities.nairobi!, 200],
    ['London, 50 km', cities.london!, 50],
    ['near the antimeridian', { lat: -16.5, lng: 179.95 }, 30],
    ['near the other side', { lat: 65, lng: -179.8 }, 100],
    ['far north', { lat: 78.2, lng: 15.6 }, 400],
  ])('holds every point of the circle (%s)', (_name, center, radius) => {
    const box = boundingBox(center, radius);
    // Just inside the circle: the box must hold every such point.
    for (const point of circle(center, radius * 0.999)) expect(contains(box, point)).toBe(true);
  });

  it('is tight: points well outside the radius are outside the box on the axes', () => {
    const box = boundingBox(cities.nairobi!, 100);
    expect(contains(box, { lat: cities.nairobi!.lat + 1, lng: cities.nairobi!.lng })).toBe(false);
    expect(contains(box, { lat: cities.nairobi!.lat, lng: cities.nairobi!.lng + 1 })).toBe(false);
  });

  it('splits at the antimeridian and spans every longitude at a pole', () => {
    expect(boundingBox({ lat: 0, lng: 179.9 }, 50).lngRanges).toHaveLength(2);
    expect(boundingBox({ lat: 0, lng: -179.9 }, 50).lngRanges).toHaveLength(2);
    expect(boundingBox({ lat: 89.9, lng: 0 }, 50)).toMatchObject({ maxLat: 90, lngRanges: [[-180, 180]] });
    expect(boundingBox({ lat: 0, lng: 0 }, 20_000).lngRanges).toEqual([[-180, 180]]);
  });
});
