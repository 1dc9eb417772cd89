import {
  errors,
  pageSize,
  requireOneOf,
  requireText,
  requireUuid,
  requireViewer,
  toConnection,
  type Connection,
} from '@flow/core';
import { Prisma, type Product, type ProductCategory } from '../generated/prisma/client';
import type { InventoryPrisma } from '../db';
import { optionalPositive, optionalText } from './input';
import { assertCan, seesInactiveProducts } from './policy';
import type { StockContext } from './stock-service';
import { isUniqueViolation } from '@flow/subgraph-kit';

export const PRODUCT_CATEGORIES: readonly ProductCategory[] = [
  'CYLINDER',
  'LIQUID_OXYGEN',
  'CONCENTRATOR',
  'REGULATOR',
];
const SKU = /^[A-Z0-9][A-Z0-9-]{1,39}$/;
const GAS = /^[A-Z][A-Z0-9_]{0,39}$/;
/** Generous upper bounds that still catch unit mix-ups (m³ typed as litres and so on). */
const MAX_CAPACITY_LITERS = 100_000;
const MAX_GAS_CONTENT_LITERS = 100_000_000;

export interface ListProductsInput {
  filter?: { category?: string | null; search?: string | null } | null;
  first?: number | null;
  after?: string | null;
}

export interface CreateProductInput {
  sku: string;
  name: string;
  category: string;
  gas?: string | null;
  capacityLiters?: number | null;
  gasContentLiters?: number | null;
  description?: string | null;
}

export interface UpdateProductInput {
  name?: string | null;
  description?: string | null;
  active?: boolean | null;
}

/**
 * The catalog is listed by name; the cursor is the (name, id) of the last product seen, encoded
 * by the platform's toConnection like every cursor (the platform's decoder wants a time).
 */
function decodeCursor(value: string | null | undefined): { name: string; id: string } | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string')
      return { name: parsed[0], id: parsed[1] };
  } catch {
    // falls through to the error below
  }
  throw errors.badUserInput('after', 'after is not a cursor this list produced.');
}

/** `%` and `_` are LIKE wildcards; a search for "50%" means the text "50%". */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Every signed-in user reads the catalog; a partner needs catalog:read. A service acting for it
 * (orders placing its order, signed) was checked where the request entered.
 */
function requireCatalogReader(ctx: StockContext) {
  assertCan.readCatalog(ctx);
  return requireViewer(ctx.viewer);
}

export class ProductService {
  constructor(private readonly prisma: InventoryPrisma) {}

  async byId(ctx: StockContext, rawId: string): Promise<Product | null> {
    requireCatalogReader(ctx);
    return ctx.loaders.productById.load(requireUuid(rawId, 'id'));
  }

  /**
   * The catalog by name, visible to every signed-in user; inactive products only to platform
   * admins. `search` matches name, SKU and description, case-insensitively.
   */
  async list(ctx: StockContext, input: ListProductsInput): Promise<Connection<Product>> {
    const viewer = requireCatalogReader(ctx);
    const size = pageSize(input.first);
    const after = decodeCursor(input.after);
    const category = input.filter?.category
      ? requireOneOf(input.filter.category, PRODUCT_CATEGORIES, 'filter.category')
      : undefined;
    const search = input.filter?.search?.trim();
    if (search && search.length > 100)
      throw errors.badUserInput('filter.search', 'filter.search is too long.');

    const conditions: Prisma.Sql[] = [];
    if (!seesInactiveProducts(viewer)) conditions.push(Prisma.sql`active`);
    if (category) conditions.push(Prisma.sql`category = ${category}::"ProductCategory"`);
    if (search) {
      const pattern = `%${escapeLike(search)}%`;
      conditions.push(
        Prisma.sql`(name ILIKE ${pattern} OR sku ILIKE ${pattern} OR coalesce(description, '') ILIKE ${pattern})`,
      );
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    const page = after
      ? Prisma.sql`${conditions.length ? Prisma.sql`AND` : Prisma.sql`WHERE`} (name, id) > (${after.name}, ${after.id}::uuid)`
      : Prisma.empty;

    // Raw SQL: Prisma's `contains` has no way to say "these characters are literal".
    const [rows, [count]] = await Promise.all([
      this.prisma.$queryRaw<Product[]>`
        SELECT id, sku, name, category::text AS category, gas, capacity_liters AS "capacityLiters",
          gas_content_liters AS "gasContentLiters", description, active,
          created_at AS "createdAt", updated_at AS "updatedAt"
        FROM products ${where} ${page}
        ORDER BY name, id LIMIT ${size + 1}`,
      this.prisma.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM products ${where}`,
    ]);
    for (const product of rows) ctx.loaders.productById.prime(product.id, product);
    return toConnection(rows, size, count?.total ?? 0, (p) => ({ at: p.name, id: p.id }), after !== null);
  }

  async create(ctx: StockContext, input: CreateProductInput): Promise<Product> {
    assertCan.changeCatalog(ctx.viewer);
    const sku = requireText(input.sku, 'input.sku', { max: 40 }).toUpperCase();
    if (!SKU.test(sku))
      throw errors.badUserInput('input.sku', 'input.sku may hold only letters, digits and dashes (2-40).');
    const gas = optionalText(input.gas, 'input.gas', 40)?.toUpperCase() ?? null;
    if (gas && !GAS.test(gas))
      throw errors.badUserInput('input.gas', 'input.gas must be a gas name such as OXYGEN.');
    const data = {
      sku,
      name: requireText(input.name, 'input.name', { max: 200 }),
      category: requireOneOf(input.category, PRODUCT_CATEGORIES, 'input.category'),
      gas,
      capacityLiters: optionalPositive(input.capacityLiters, 'input.capacityLiters', MAX_CAPACITY_LITERS),
      gasContentLiters: optionalPositive(
        input.gasContentLiters,
        'input.gasContentLiters',
        MAX_GAS_CONTENT_LITERS,
      ),
      description: optionalText(input.description, 'input.description', 2000),
    };
    try {
      const product = await this.prisma.product.create({ data });
      ctx.logger.info({ productId: product.id, sku, by: ctx.viewer?.userId }, 'product created');
      return product;
    } catch (error) {
      if (isUniqueViolation(error))
        throw errors.conflict(`A product with SKU ${sku} already exists.`, { field: 'input.sku' });
      throw error;
    }
  }

  async update(ctx: StockContext, rawId: string, input: UpdateProductInput): Promise<Product> {
    assertCan.changeCatalog(ctx.viewer);
    const id = requireUuid(rawId, 'id');
    const data: Prisma.ProductUpdateInput = {};
    if (input.name !== null && input.name !== undefined)
      data.name = requireText(input.name, 'input.name', { max: 200 });
    if (input.description !== undefined)
      data.description = optionalText(input.description, 'input.description', 2000);
    if (input.active !== null && input.active !== undefined) data.active = input.active;
    if (Object.keys(data).length === 0)
      throw errors.badUserInput('input', 'input must change at least one field.');
    const updated = await this.prisma.product.updateMany({ where: { id }, data });
    if (updated.count === 0) throw errors.notFound('Product', id);
    ctx.loaders.productById.clear(id);
    const product = await this.prisma.product.findUniqueOrThrow({ where: { id } });
    ctx.logger.info({ productId: id, changed: Object.keys(data), by: ctx.viewer?.userId }, 'product updated');
    return product;
  }
}
