/**
 * The demo dataset of schema `data`: a small shop. Generated inside Postgres
 * with generate_series and hash functions, so it is fast (no rows cross the
 * wire) and deterministic (same rows on every machine, no random()).
 */
export const SEED_VERSION = "sluice-demo-seed v1";

export interface SeedStep {
  name: string;
  sql: string;
  /** Rows the step creates, for the progress line. */
  rows?: number;
}

/** A deterministic pseudo-random integer in [0, modulo) for row `i` and stream `salt`. */
const pick = (i: string, salt: number, modulo: number) => `(abs(hashint8((${i})::bigint * 7919 + ${salt})) % ${modulo})`;
const fromList = (i: string, salt: number, items: string[]) => `(array[${items.map((x) => `'${x}'`).join(",")}])[1 + ${pick(i, salt, items.length)}]`;

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "Ken",
  "Radia",
  "Linus",
  "Margaret",
  "Dennis",
  "Hedy",
  "Tim",
  "Katherine",
  "Niklaus",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Thompson",
  "Perlman",
  "Torvalds",
  "Hamilton",
  "Ritchie",
  "Lamarr",
  "Berners-Lee",
  "Johnson",
  "Wirth",
];
const COUNTRIES = ["DE", "FR", "US", "GB", "NL", "SE", "ES", "IT", "PL", "JP", "BR", "CA"];
const CITIES = ["Berlin", "Paris", "Austin", "London", "Utrecht", "Malmö", "Valencia", "Turin", "Kraków", "Osaka", "Recife", "Halifax"];
const CATEGORIES = ["books", "games", "garden", "kitchen", "music", "office", "outdoor", "tools", "toys", "travel"];
const ADJECTIVES = ["Compact", "Deluxe", "Everyday", "Rugged", "Silent", "Smart", "Tiny", "Vintage"];
const NOUNS = ["Lamp", "Kettle", "Notebook", "Backpack", "Speaker", "Puzzle", "Shovel", "Tent", "Mug", "Router"];
const STATUSES = ["pending", "paid", "shipped", "delivered", "delivered", "delivered", "cancelled"];
const EVENT_KINDS = ["page_view", "page_view", "page_view", "search", "add_to_cart", "checkout", "sign_in", "support_ticket"];

export function seedSteps(scale: number): SeedStep[] {
  const customers = Math.max(100, Math.round(20_000 * scale));
  const products = Math.max(20, Math.round(1_000 * scale));
  const orders = Math.max(300, Math.round(100_000 * scale));
  const itemsPerOrder = 3;
  const events = Math.max(500, Math.round(250_000 * scale));

  return [
    { name: "schema", sql: `drop schema if exists data cascade; create schema data;` },
    {
      name: "customers",
      rows: customers,
      sql: `create table data.customers (
          id bigint not null, email text not null, full_name text not null, country text not null,
          city text, tier text not null, signed_up_at timestamptz not null, marketing_opt_in boolean not null);
        insert into data.customers
        select i, 'customer' || i || '@example.com',
          ${fromList("i", 1, FIRST)} || ' ' || ${fromList("i", 2, LAST)},
          ${fromList("i", 3, COUNTRIES)},
          case when ${pick("i", 4, 20)} = 0 then null else ${fromList("i", 5, CITIES)} end,
          ${fromList("i", 6, ["free", "free", "free", "pro", "pro", "enterprise"])},
          timestamptz '2022-01-01 00:00:00+00' + make_interval(secs => ${pick("i", 7, 3 * 365 * 86400)}),
          ${pick("i", 8, 3)} = 0
        from generate_series(1, ${customers}) as i;`,
    },
    {
      name: "products",
      rows: products,
      sql: `create table data.products (
          id integer not null, sku text not null, name text not null, category text not null,
          price numeric(10,2) not null, active boolean not null, created_at timestamptz not null);
        insert into data.products
        select i, 'SKU-' || lpad(i::text, 6, '0'),
          ${fromList("i", 11, ADJECTIVES)} || ' ' || ${fromList("i", 12, NOUNS)} || ' ' || i,
          ${fromList("i", 13, CATEGORIES)},
          (199 + ${pick("i", 14, 49800)})::numeric / 100,
          ${pick("i", 15, 10)} <> 0,
          timestamptz '2021-06-01 00:00:00+00' + make_interval(secs => ${pick("i", 16, 365 * 86400)})
        from generate_series(1, ${products}) as i;`,
    },
    {
      name: "orders",
      rows: orders,
      sql: `create table data.orders (
          id bigint not null, customer_id bigint not null, status text not null, ordered_at timestamptz not null,
          shipped_at timestamptz, total numeric(12,2) not null default 0, currency text not null);
        insert into data.orders (id, customer_id, status, ordered_at, shipped_at, currency)
        select i, 1 + ${pick("i", 21, customers)}, s.status, s.ordered_at,
          case when s.status in ('shipped', 'delivered') then s.ordered_at + make_interval(hours => 6 + ${pick("i", 22, 120)}) end,
          ${fromList("i", 23, ["EUR", "EUR", "USD", "GBP"])}
        from generate_series(1, ${orders}) as i,
          lateral (select ${fromList("i", 24, STATUSES)} as status,
            timestamptz '2023-01-01 00:00:00+00' + make_interval(secs => ${pick("i", 25, 2 * 365 * 86400)}) as ordered_at) s;`,
    },
    {
      name: "order_items",
      rows: orders * itemsPerOrder,
      sql: `create table data.order_items (
          id bigint not null, order_id bigint not null, product_id integer not null,
          quantity integer not null, unit_price numeric(10,2) not null);
        insert into data.order_items
        select i, 1 + (i - 1) / ${itemsPerOrder}, p.id, 1 + ${pick("i", 31, 4)}, p.price
        from generate_series(1, ${orders * itemsPerOrder}) as i
        join data.products p on p.id = 1 + ${pick("i", 32, products)};
        update data.orders o set total = t.total
        from (select order_id, sum(quantity * unit_price) as total from data.order_items group by order_id) t
        where t.order_id = o.id;`,
    },
    {
      name: "events",
      rows: events,
      sql: `create table data.events (
          id bigint not null, customer_id bigint, kind text not null, occurred_at timestamptz not null, properties jsonb not null);
        insert into data.events
        select i,
          case when ${pick("i", 41, 10)} = 0 then null else 1 + ${pick("i", 42, customers)} end,
          k.kind,
          timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => ${pick("i", 43, 365 * 86400)}),
          jsonb_build_object('path', '/' || k.kind || '/' || ${pick("i", 44, 50)}, 'ms', ${pick("i", 45, 900)})
        from generate_series(1, ${events}) as i,
          lateral (select ${fromList("i", 46, EVENT_KINDS)} as kind) k;`,
    },
    {
      name: "keys and indexes",
      sql: `alter table data.customers add primary key (id);
        alter table data.products add primary key (id);
        alter table data.orders add primary key (id);
        alter table data.order_items add primary key (id);
        alter table data.events add primary key (id);
        create unique index customers_email_key on data.customers (email);
        create unique index products_sku_key on data.products (sku);
        create index customers_country_idx on data.customers (country);
        create index customers_signed_up_at_idx on data.customers (signed_up_at);
        create index products_category_idx on data.products (category);
        create index orders_customer_id_idx on data.orders (customer_id);
        create index orders_ordered_at_idx on data.orders (ordered_at);
        create index orders_status_idx on data.orders (status);
        create index order_items_order_id_idx on data.order_items (order_id);
        create index order_items_product_id_idx on data.order_items (product_id);
        create index events_occurred_at_idx on data.events (occurred_at);
        create index events_customer_id_idx on data.events (customer_id);
        create index events_kind_idx on data.events (kind);
        alter table data.orders add foreign key (customer_id) references data.customers (id);
        alter table data.order_items add foreign key (order_id) references data.orders (id);
        alter table data.order_items add foreign key (product_id) references data.products (id);
        alter table data.events add foreign key (customer_id) references data.customers (id);`,
    },
    {
      name: "views",
      sql: `create view data.customer_order_totals as
        select c.id as customer_id, c.full_name, c.country, count(o.id) as orders, coalesce(sum(o.total), 0) as revenue
        from data.customers c left join data.orders o on o.customer_id = c.id and o.status <> 'cancelled'
        group by c.id, c.full_name, c.country;
        comment on table data.customers is 'People who bought something, or might';
        comment on table data.orders is 'One row per checkout';
        comment on table data.events is 'Clickstream of the shop';`,
    },
    { name: "statistics", sql: `analyze data.customers, data.products, data.orders, data.order_items, data.events;` },
    { name: "marker", sql: `comment on schema data is '${SEED_VERSION} scale=${scale}';` },
  ];
}
