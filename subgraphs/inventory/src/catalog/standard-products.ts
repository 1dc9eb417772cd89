/**
 * The standard medical-oxygen products every Flow catalog starts with, upserted by SKU at start.
 *
 * Units:
 * - capacityLiters: water capacity of a cylinder, or liquid capacity of a liquid-oxygen vessel.
 *   Given only where a source states it; US letter-size cylinders are sold by gas content, and
 *   their water capacity varies by maker, so it is left empty rather than guessed.
 * - gasContentLiters: litres of oxygen gas at atmospheric pressure a full unit delivers.
 *
 * Sources (each figure below names the one it comes from):
 * [GODIGIT]   "Oxygen cylinders", Go Digit health guide, table "Capacity (in litres at 2,200 PSI)":
 *             B/M-6 164 L, C/M-9 255 L, D/M-15 425 L, E/M-24 680 L, M-60 1738 L.
 *             https://www.godigit.com/health-insurance/diseases/novel-coronavirus/oxygen-cylinders
 * [ANESTH]    "Oxygen cylinder calculation", classicanesthesia.com: E ~680 L full (~2000 psi),
 *             H/K ~6,900 L (large stationary cylinders).
 *             https://classicanesthesia.com/english-version/en-oxygen-cylinder-calculation
 * [DEANZA]    De Anza College via reference.com, "Standard medical oxygen cylinder sizes": H cylinders
 *             hold nearly 7,000 L; D 300-415 L (older steel D sizes hold less than the 425 L above).
 *             https://www.reference.com/world-view/standard-medical-oxygen-cylinder-sizes-aa68e6c2c3c8ea74
 * [AIRLIQUIDE] Air Liquide UK, "Medical liquid oxygen": 1 L of liquid oxygen gives 860 L of gas; a
 *             typical portable 2 litre cylinder holds about 490 L of oxygen gas.
 *             http://uk.airliquide.com/en/home-healthcare/paediatric-home-oxygen/medical-liquid-oxygen-1.html
 * [AIRPRODUCTS] Air Products UK home oxygen service, liquid oxygen dewar technical data:
 *             capacity 41 L (liquid), 33,620 L (gaseous).
 *             http://www.airproducts.co.uk/homecare/clinicians/homeOxygenService/OurService_Equipment-liquidoxygen.htm
 * [PORTABLEO2] "Portable Oxygen: A User's Perspective", liquid oxygen: the larger portable liquid
 *             units hold a litre or more of liquid oxygen, continuous flow up to 6 or 15 L/min.
 *             http://www.portableoxygen.org/liquido2.html
 * [REVIVAL]   Revival medical gases, "Large cylinder": the common 50 litre oxygen cylinder filled to
 *             200 bar holds about 10 m³ (10,000 L) of gas.  https://www.revival.gr/en/large-cylinder-w-88462
 * [WHO2015]   WHO, "Technical specifications for oxygen concentrators" (WHO Medical Device
 *             Technical Series, 2015, ISBN 978 92 4 150988 6): stationary concentrators delivering
 *             up to 5 L/min (and 10 L/min models) of oxygen at >= 82 % concentration.
 * [WHO2019]   WHO-UNICEF, "Technical specifications and guidance for oxygen therapy devices" (2019,
 *             ISBN 978-92-4-151691-4): cylinder pressure regulators with flowmeters, Thorpe-tube
 *             flowmeters (0-15 L/min), pin-index (CGA 870) and CGA 540 cylinder connections.
 */
export interface StandardProduct {
  sku: string;
  name: string;
  category: 'CYLINDER' | 'LIQUID_OXYGEN' | 'CONCENTRATOR' | 'REGULATOR';
  gas: string | null;
  capacityLiters: number | null;
  gasContentLiters: number | null;
  description: string;
}

export const standardProducts: readonly StandardProduct[] = [
  // Compressed-gas cylinders, US/CGA letter sizes ("M" + approximate cubic feet).
  {
    sku: 'O2-CYL-M6',
    name: 'Oxygen cylinder M6 (B)',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 164, // [GODIGIT]
    description:
      'Portable aluminium medical oxygen cylinder, 164 L of oxygen when full; carried in a shoulder bag.',
  },
  {
    sku: 'O2-CYL-M9',
    name: 'Oxygen cylinder M9 (C)',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 255, // [GODIGIT]
    description: 'Portable aluminium medical oxygen cylinder, 255 L of oxygen when full.',
  },
  {
    sku: 'O2-CYL-D',
    name: 'Oxygen cylinder D (M15)',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 425, // [GODIGIT]; older steel D cylinders hold 300-415 L [DEANZA]
    description: 'Medical oxygen cylinder for transport and emergencies, 425 L of oxygen when full.',
  },
  {
    sku: 'O2-CYL-E',
    name: 'Oxygen cylinder E (M24)',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 680, // [GODIGIT], [ANESTH]
    description: 'The usual transport and anaesthesia-machine cylinder, 680 L of oxygen when full.',
  },
  {
    sku: 'O2-CYL-M60',
    name: 'Oxygen cylinder M60',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 1738, // [GODIGIT]
    description: 'Stationary medical oxygen cylinder for wards and clinics, 1,738 L of oxygen when full.',
  },
  {
    sku: 'O2-CYL-H',
    name: 'Oxygen cylinder H (K)',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: null,
    gasContentLiters: 6900, // [ANESTH]; "nearly 7,000 L" [DEANZA]
    description:
      'Large stationary cylinder for manifolds and high-flow use, about 6,900 L of oxygen when full.',
  },
  // Compressed-gas cylinders sold by water capacity (European practice, 200-230 bar).
  {
    sku: 'O2-CYL-2L',
    name: 'Oxygen cylinder 2 L, integral valve',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: 2,
    gasContentLiters: 490, // [AIRLIQUIDE]
    description: 'Portable 2 litre cylinder with integral valve and flow selector, about 490 L of oxygen.',
  },
  {
    sku: 'O2-CYL-50L',
    name: 'Oxygen cylinder 50 L, 200 bar',
    category: 'CYLINDER',
    gas: 'OXYGEN',
    capacityLiters: 50,
    gasContentLiters: 10000, // [REVIVAL]
    description: 'Large 50 litre cylinder filled to 200 bar, about 10 m³ of oxygen, for manifolds.',
  },
  // Liquid oxygen: 1 L of liquid gives 860 L of gas [AIRLIQUIDE].
  {
    sku: 'LOX-DEWAR-41L',
    name: 'Liquid oxygen dewar 41 L',
    category: 'LIQUID_OXYGEN',
    gas: 'OXYGEN',
    capacityLiters: 41,
    gasContentLiters: 33620, // [AIRPRODUCTS]
    description:
      'Home or ward liquid oxygen reservoir (dewar), 41 L of liquid, 33,620 L of gas; fills portable units.',
  },
  {
    sku: 'LOX-PORTABLE-1L',
    name: 'Portable liquid oxygen unit 1 L',
    category: 'LIQUID_OXYGEN',
    gas: 'OXYGEN',
    capacityLiters: 1,
    gasContentLiters: 860, // [PORTABLEO2] size, [AIRLIQUIDE] 860 L per litre of liquid
    description: 'Shoulder-carried liquid oxygen unit, 1 L of liquid (860 L of gas), filled from a dewar.',
  },
  // Oxygen concentrators: no stored gas; rated by flow [WHO2015].
  {
    sku: 'CONC-5LPM',
    name: 'Oxygen concentrator 5 L/min',
    category: 'CONCENTRATOR',
    gas: null,
    capacityLiters: null,
    gasContentLiters: null,
    description:
      'Stationary oxygen concentrator, up to 5 L/min at 82 % oxygen or more, mains powered (WHO 2015 specification).',
  },
  {
    sku: 'CONC-10LPM',
    name: 'Oxygen concentrator 10 L/min',
    category: 'CONCENTRATOR',
    gas: null,
    capacityLiters: null,
    gasContentLiters: null,
    description:
      'High-flow stationary oxygen concentrator, up to 10 L/min at 82 % oxygen or more, for two patients with a flow splitter.',
  },
  // Regulators and flowmeters [WHO2019].
  {
    sku: 'REG-PIN-INDEX-15',
    name: 'Oxygen regulator, pin-index, 0-15 L/min',
    category: 'REGULATOR',
    gas: null,
    capacityLiters: null,
    gasContentLiters: null,
    description:
      'Pressure regulator with contents gauge and 0-15 L/min flow selector for pin-index (CGA 870) cylinders (M6 to E).',
  },
  {
    sku: 'REG-CGA540-15',
    name: 'Oxygen regulator, CGA 540, 0-15 L/min',
    category: 'REGULATOR',
    gas: null,
    capacityLiters: null,
    gasContentLiters: null,
    description:
      'Pressure regulator with contents gauge and flowmeter for large cylinders with CGA 540 valves (M60, H).',
  },
  {
    sku: 'FLOW-THORPE-15',
    name: 'Thorpe-tube flowmeter 0-15 L/min',
    category: 'REGULATOR',
    gas: null,
    capacityLiters: null,
    gasContentLiters: null,
    description:
      'Pressure-compensated Thorpe-tube flowmeter, 0-15 L/min, for wall outlets or regulated cylinders.',
  },
];
