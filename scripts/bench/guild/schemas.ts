// The SDL and resolvers of the four benchmark subgraphs (Federation 2, @apollo/subgraph).
import { parse, type DocumentNode } from 'graphql';
import { inStock, products, reviews, users, type Product, type User } from './data';

// Resolver maps as @apollo/subgraph takes them (its own type is not exported).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resolvers = Record<string, Record<string, any>>;

export const GUILD_SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type GuildSubgraph = (typeof GUILD_SUBGRAPHS)[number];

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

export const typeDefs: Record<GuildSubgraph, DocumentNode> = {
  accounts: parse(`${LINK}
    type Query { me: User users: [User] user(id: ID!): User }
    type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`),
  inventory: parse(`${LINK}
    type Product @key(fields: "upc") {
      upc: String!
      weight: Int @external
      price: Int @external
      inStock: Boolean
      shippingEstimate: Int @requires(fields: "price weight")
    }`),
  products: parse(`${LINK}
    type Query { topProducts(first: Int = 5): [Product] }
    type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`),
  reviews: parse(`${LINK}
    type Review @key(fields: "id") {
      id: ID!
      body: String
      author: User @provides(fields: "username")
      product: Product
    }
    type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
    type Product @key(fields: "upc") { upc: String! reviews: [Review] }`),
};

const byId = <T>(list: T[], key: (item: T) => string) => new Map(list.map((item) => [key(item), item]));
const userById = byId(users, (u) => u.id);
const productByUpc = byId(products, (p) => p.upc);

export const resolvers: Record<GuildSubgraph, Resolvers> = {
  accounts: {
    Query: {
      me: () => users[0],
      users: () => users,
      user: (_: unknown, { id }: { id: string }) => userById.get(id),
    },
    User: { __resolveReference: ({ id }: { id: string }) => userById.get(id) },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: Product) => ({ ...ref, inStock: inStock(ref.upc) }),
      // Free above 1000, else half a unit per unit of weight.
      shippingEstimate: (ref: Product) => (ref.price > 1000 ? 0 : Math.round(ref.weight * 0.5)),
    },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviews.find((r) => r.id === id),
      author: (review: { authorId: string }) => {
        const user = userById.get(review.authorId)!;
        return { __typename: 'User', id: user.id, username: user.username };
      },
      product: (review: { productUpc: string }) => ({ __typename: 'Product', upc: review.productUpc }),
    },
    User: {
      reviews: (user: User) => reviews.filter((r) => r.authorId === user.id),
    },
    Product: {
      reviews: (product: Product) => reviews.filter((r) => r.productUpc === product.upc),
    },
  },
};
