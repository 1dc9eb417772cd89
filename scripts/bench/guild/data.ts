// Static data of the four benchmark subgraphs (accounts, inventory, products, reviews), in the
// shape of The Guild's federation gateway benchmark: a few users and products, many reviews with
// long bodies, so that the benchmark query's nested lists answer about 87 KB.
const LOREM = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do.';

export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
export interface Review {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

export const users: User[] = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald'].map((name, i) => ({
  id: String(i + 1),
  name: `${name} ${['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth'][i]}`,
  username: name.toLowerCase(),
  birthday: 1_000_000_000 + i * 86_400,
}));

export const products: Product[] = [
  'Table',
  'Couch',
  'Chair',
  'Lamp',
  'Desk',
  'Shelf',
  'Rug',
  'Bed',
  'Stool',
].map((name, i) => ({
  upc: String(i + 1),
  name,
  price: 100 + ((i * 397) % 1400),
  weight: 10 + ((i * 53) % 200),
}));

/** Every user reviews four products; product i is reviewed by the users that chose it. */
export const reviews: Review[] = users.flatMap((user, u) =>
  [0, 1, 2, 3].map((k) => ({
    id: String(u * 4 + k + 1),
    body: `${LOREM} (${user.username} on ${products[(u * 2 + k) % products.length]!.name})`,
    authorId: user.id,
    productUpc: products[(u * 2 + k) % products.length]!.upc,
  })),
);

export const inStock = (upc: string) => Number(upc) % 3 !== 0;
