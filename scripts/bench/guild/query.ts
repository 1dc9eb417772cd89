// The benchmark query: users -> reviews -> product -> reviews -> author -> reviews -> product, and
// topProducts -> reviews -> author -> reviews -> product, as in The Guild's gateway benchmark.
export const GUILD_QUERY = `
fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
    }
  }
  topProducts {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}`;
