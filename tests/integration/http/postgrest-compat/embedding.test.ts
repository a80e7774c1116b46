import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCompatWorld, stopCompatWorld, type CompatWorld } from "@/tests/integration/http/postgrest-compat/client";

/**
 * Resource embedding over the catalog's foreign keys, through postgrest-js, on PostgREST's
 * fixture shapes (several keys between person and message, the family_tree self-reference) and
 * the demo data. Expectations are PostgREST's answers for the same calls.
 */
let world: CompatWorld;

beforeAll(async () => {
  world = await startCompatWorld("pgrst_compat_embed");
});
afterAll(async () => {
  await stopCompatWorld(world);
});

const get = async (path: string) => {
  const response = await world.raw(path);
  return { status: response.status, body: (await response.json()) as unknown };
};

describe("to-one and to-many", () => {
  it("embeds to-one by the foreign key's column when several keys relate the same tables (EmbedDisambiguationSpec)", async () => {
    const { data, error } = await world.client.from("message").select("id,body,sender(name),recipient(name)").lt("id", 3).order("id");
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 1, body: "Hello Jane", sender: { name: "John" }, recipient: { name: "Jane" } },
      { id: 2, body: "Hi John", sender: { name: "Jane" }, recipient: { name: "John" } },
    ]);
  });

  it("embeds to-many with an alias and a hint, in key order", async () => {
    const { data } = await world.client.from("person").select("name,sent:message!sender(id,body)").eq("id", 1);
    expect(data).toEqual([
      {
        name: "John",
        sent: [
          { id: 1, body: "Hello Jane" },
          { id: 3, body: "How are you doing?" },
        ],
      },
    ]);
    const none = await get("/person?select=id,received:message!recipient(id)&id=eq.3");
    expect(none.body).toEqual([{ id: 3, received: [{ id: 5 }] }]);
  });

  it("refuses an ambiguous embed with a 400 naming the hints (PGRST201), and an unrelated one (PGRST200)", async () => {
    const ambiguous = await get("/person?select=name,message(id)");
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body).toMatchObject({
      error: { details: { pgrstCode: "PGRST201", hints: ["message!message_recipient_fkey", "message!message_sender_fkey"] } },
    });
    const unrelated = await get("/person?select=name,items(id)");
    expect(unrelated.status).toBe(400);
    expect(unrelated.body).toMatchObject({ error: { details: { pgrstCode: "PGRST200" } } });
  });

  it("follows a self-reference both ways and nests", async () => {
    expect((await get("/family_tree?select=id,parent(id,name)&id=in.(1,2)")).body).toEqual([
      { id: "1", parent: null },
      { id: "2", parent: { id: "1", name: "Parental Unit" } },
    ]);
    expect((await get("/family_tree?select=id,children:family_tree!parent(id,parent(name))&id=eq.1")).body).toEqual([
      {
        id: "1",
        children: [
          { id: "2", parent: { name: "Parental Unit" } },
          { id: "3", parent: { name: "Parental Unit" } },
        ],
      },
    ]);
  });

  it("embeds across schemas of the demo data, singular too", async () => {
    const { data, error } = await world.client.schema("data").from("orders").select("id,customers(id)").eq("id", 1).single();
    expect(error).toBeNull();
    const [{ customer_id }] = (await world.db.owner`select customer_id::int from data.orders where id = 1`) as unknown as [{ customer_id: number }];
    expect(data).toEqual({ id: 1, customers: { id: customer_id } });
  });

  it("nests to-many inside to-many down to 3 levels, and refuses a 4th and too many embeds with a 400", async () => {
    expect((await get("/person?select=id,message!sender(id,person!recipient(id))")).status).toBe(200); // to-one inside to-many
    const three = await get("/family_tree?select=id,c:family_tree!parent(id,g:family_tree!parent(id,h:family_tree!parent(id)))&id=eq.1");
    expect(three).toEqual({
      status: 200,
      body: [
        {
          id: "1",
          c: [
            { id: "2", g: [{ id: "4", h: [] }] },
            { id: "3", g: [{ id: "5", h: [] }] },
          ],
        },
      ],
    });
    const four = await get(
      "/family_tree?select=id,c:family_tree!parent(id,g:family_tree!parent(id,h:family_tree!parent(id,i:family_tree!parent(id))))",
    );
    expect(four.status).toBe(400);
    expect(four.body).toMatchObject({ error: { details: { reason: "too_complex" } } });
    const many = await get(`/message?select=id,${Array.from({ length: 9 }, (_, i) => `s${i}:sender(id)`).join(",")}`);
    expect(many.status).toBe(400);
  });
});

/** The total of a HEAD with `Prefer: count=exact`, read by postgrest-js as PostgREST's clients read it. */
async function headCount(table: string, select: string, filter?: { column: string; value: number }): Promise<number | null> {
  const query = world.client.from(table).select(select, { count: "exact", head: true });
  const { count, error, status } = await (filter ? query.eq(filter.column, filter.value) : query);
  expect(error).toBeNull();
  expect(status).toBe(200);
  return count;
}

describe("!inner and !left (EmbedInnerJoinSpec)", () => {
  it("drops the parents of a to-one embed without a match; !left (the default) keeps them; the count agrees", async () => {
    const inner = await world.client.from("projects").select("id,clients!inner(id)");
    expect(inner.data).toEqual([
      { id: 1, clients: { id: 1 } },
      { id: 2, clients: { id: 1 } },
      { id: 3, clients: { id: 2 } },
      { id: 4, clients: { id: 2 } },
    ]);
    const left = await world.client.from("projects").select("id,clients!left(id)");
    expect(left.data).toEqual([...inner.data!, { id: 5, clients: null }]);
    expect(await headCount("projects", "id,clients!inner(id)")).toBe(4);
    expect(await headCount("projects", "id,clients!left(id)")).toBe(5);
  });

  it("filters the parents by the embed's filters, two levels down too", async () => {
    const { data } = await world.client.from("projects").select("id,clients!inner(id)").eq("clients.id", 1);
    expect(data).toEqual([
      { id: 1, clients: { id: 1 } },
      { id: 2, clients: { id: 1 } },
    ]);
    expect((await world.client.from("projects").select("id,clients!inner(id)").eq("clients.id", 0)).data).toEqual([]);
    expect(await headCount("projects", "id,clients!inner(id)", { column: "clients.id", value: 1 })).toBe(2);
    const deep = await world.client.from("tasks").select("id,projects!inner(id,clients!inner(id))").eq("projects.clients.id", 1);
    expect(deep.data).toEqual([1, 2, 3, 4].map((id) => ({ id, projects: { id: id <= 2 ? 1 : 2, clients: { id: 1 } } })));
    expect(await headCount("tasks", "id,projects!inner(id,clients!inner(id))", { column: "projects.clients.id", value: 1 })).toBe(4);
  });

  it("an inner embed below a left one nulls that embed and keeps every parent", async () => {
    const { data } = await world.client.from("tasks").select("id,projects(id,clients!inner(id))").eq("projects.clients.id", 2);
    expect(data).toEqual([
      ...[1, 2, 3, 4].map((id) => ({ id, projects: null })),
      ...[5, 6, 7, 8].map((id) => ({ id, projects: { id: id <= 6 ? 3 : 4, clients: { id: 2 } } })),
    ]);
    expect(await headCount("tasks", "id,projects(id,clients!inner(id))", { column: "projects.clients.id", value: 2 })).toBe(8);
  });

  it("drops the parents of an empty to-many embed, and filters it", async () => {
    const { data } = await world.client.from("entities").select("id,child_entities!inner(id)");
    expect(data).toEqual([
      { id: 1, child_entities: [{ id: 1 }, { id: 2 }, { id: 4 }, { id: 5 }] },
      { id: 2, child_entities: [{ id: 3 }, { id: 6 }] },
    ]);
    const left = await world.client.from("entities").select("id,child_entities!left(id)");
    expect(left.data).toEqual([...data!, { id: 3, child_entities: [] }, { id: 4, child_entities: [] }]);
    expect((await world.client.from("entities").select("id,child_entities!inner(id)").eq("child_entities.id", 3)).data).toEqual([
      { id: 2, child_entities: [{ id: 3 }] },
    ]);
    expect(await headCount("entities", "id,child_entities!inner(id)")).toBe(2);
  });

  it("combines with foreign-key hints, before or after !inner", async () => {
    const expected = [
      { id: 3, clients: { id: 2 } },
      { id: 4, clients: { id: 2 } },
    ];
    expect((await world.client.from("projects").select("id,clients!client!inner(id)").eq("clients.id", 2)).data).toEqual(expected);
    expect((await world.client.from("projects").select("id,clients!inner!client(id)").eq("clients.id", 2)).data).toEqual(expected);
    expect((await get("/projects?select=id,client!inner(id)&client.id=eq.2")).body).toEqual([
      { id: 3, client: { id: 2 } },
      { id: 4, client: { id: 2 } },
    ]);
  });

  it("filters demo orders by their customer's country with the key named, as the database answers", async () => {
    const { data, error } = await world.client
      .schema("data")
      .from("orders")
      .select("id,customers!orders_customer_id_fkey!inner(full_name)")
      .eq("customers.country", "US")
      .order("id")
      .limit(5);
    expect(error).toBeNull();
    const expected = await world.db.owner`
      select o.id::int, c.full_name from data.orders o join data.customers c on c.id = o.customer_id
      where c.country = 'US' order by o.id limit 5`;
    expect(expected).toHaveLength(5);
    expect(data).toEqual(expected.map((r) => ({ id: r.id, customers: { full_name: r.full_name } })));
  });
});

describe("filters, order and window on embedded resources", () => {
  it("without !inner a filter shapes the embed only: a to-one becomes null, a to-many shorter", async () => {
    expect((await world.client.from("projects").select("id,clients(id)").eq("clients.id", 1)).data).toEqual([
      { id: 1, clients: { id: 1 } },
      { id: 2, clients: { id: 1 } },
      { id: 3, clients: null },
      { id: 4, clients: null },
      { id: 5, clients: null },
    ]);
    expect((await world.client.from("clients").select("id,projects(id)").gt("projects.id", 2)).data).toEqual([
      { id: 1, projects: [] },
      { id: 2, projects: [{ id: 3 }, { id: 4 }] },
    ]);
  });

  it("orders, limits and offsets the embedded rows (referencedTable)", async () => {
    const ordered = await world.client.from("clients").select("id,projects(id)").order("id", { referencedTable: "projects", ascending: false });
    expect(ordered.data).toEqual([
      { id: 1, projects: [{ id: 2 }, { id: 1 }] },
      { id: 2, projects: [{ id: 4 }, { id: 3 }] },
    ]);
    const limited = await world.client
      .from("clients")
      .select("id,projects(id)")
      .order("id", { referencedTable: "projects", ascending: false })
      .limit(1, { referencedTable: "projects" });
    expect(limited.data).toEqual([
      { id: 1, projects: [{ id: 2 }] },
      { id: 2, projects: [{ id: 4 }] },
    ]);
    const ranged = await world.client.from("clients").select("id,projects(id)").range(1, 1, { referencedTable: "projects" });
    expect(ranged.data).toEqual([
      { id: 1, projects: [{ id: 2 }] },
      { id: 2, projects: [{ id: 4 }] },
    ]);
    // The parents keep their own window.
    expect((await world.client.from("clients").select("id,projects(id)").limit(1, { referencedTable: "projects" }).limit(1)).data).toEqual([
      { id: 1, projects: [{ id: 1 }] },
    ]);
  });

  it("takes or=() on an embed (referencedTable), and names the embed by its alias too", async () => {
    const { data } = await world.client.from("clients").select("id,projects(id)").or("id.eq.1,id.eq.4", { referencedTable: "projects" });
    expect(data).toEqual([
      { id: 1, projects: [{ id: 1 }] },
      { id: 2, projects: [{ id: 4 }] },
    ]);
    expect((await get("/clients?select=id,p:projects(id)&p.not.or=(id.eq.1,id.eq.4)&p.order=id.desc")).body).toEqual([
      { id: 1, p: [{ id: 2 }] },
      { id: 2, p: [{ id: 3 }] },
    ]);
  });

  it("orders parents by a to-one embed's column (RelatedQueriesSpec)", async () => {
    const { data } = await world.client.from("projects").select("id,clients(name)").order("clients(name)", { nullsFirst: true });
    expect(data).toEqual([
      { id: 5, clients: null },
      { id: 3, clients: { name: "Apple" } },
      { id: 4, clients: { name: "Apple" } },
      { id: 1, clients: { name: "Microsoft" } },
      { id: 2, clients: { name: "Microsoft" } },
    ]);
    expect((await get("/projects?select=id,client:clients(name)&order=client(name).asc")).body).toEqual([
      { id: 3, client: { name: "Apple" } },
      { id: 4, client: { name: "Apple" } },
      { id: 1, client: { name: "Microsoft" } },
      { id: 2, client: { name: "Microsoft" } },
      { id: 5, client: null },
    ]);
  });

  it("refuses a related order on a to-many embed (PGRST118), and parameters for an embed not selected (PGRST108)", async () => {
    const toMany = await get("/clients?select=*,projects(*)&order=projects(id)");
    expect(toMany.status).toBe(400);
    expect(toMany.body).toMatchObject({
      error: {
        message: "A related order on 'projects' is not possible",
        details: { pgrstCode: "PGRST118", hint: "'clients' and 'projects' do not form a many-to-one or one-to-one relationship" },
      },
    });
    const notSelected = await get("/projects?select=id,clients(name)&order=clientsx(name).nullsfirst");
    expect(notSelected.status).toBe(400);
    expect(notSelected.body).toMatchObject({
      error: { message: "'clientsx' is not an embedded resource in this request", details: { pgrstCode: "PGRST108" } },
    });
    const filter = await world.client.from("projects").select("id").eq("clients.id", 1);
    expect(filter.status).toBe(400);
    expect(filter.error).toMatchObject({ error: { details: { reason: "not_embedded", pgrstCode: "PGRST108", resource: "clients" } } });
  });
});

/** Rows of `children` grouped under each parent by `key`, the key dropped, in the children's order. */
function nestUnder<P extends { id: number }, C extends Record<string, unknown>>(parents: P[], children: C[], key: keyof C & string, as: string) {
  return parents.map((parent) => ({
    ...parent,
    [as]: children.filter((child) => child[key] === parent.id).map((child) => Object.fromEntries(Object.entries(child).filter(([k]) => k !== key))),
  }));
}

describe("to-many inside to-many (QuerySpec, RangeSpec, EmbedInnerJoinSpec)", () => {
  it("requests children two levels down, with a hint too, as PostgREST answers", async () => {
    const expected = [
      {
        id: 1,
        projects: [
          { id: 1, tasks: [{ id: 1 }, { id: 2 }] },
          { id: 2, tasks: [{ id: 3 }, { id: 4 }] },
        ],
      },
    ];
    const { data, error } = await world.client.from("clients").select("id,projects(id,tasks(id))").eq("id", 1);
    expect(error).toBeNull();
    expect(data).toEqual(expected);
    expect((await get("/clients?id=eq.1&select=id,projects:projects!client(id,tasks(id))")).body).toEqual(expected);
  });

  it("reads demo customers with their orders, each order's items and their products, as plain SQL reads them (control)", async () => {
    const { data, error } = await world.client
      .schema("data")
      .from("customers")
      .select("id,full_name,orders(id,total,order_items(quantity,products(name)))")
      .order("id")
      .limit(3);
    expect(error).toBeNull();
    const customers = (await world.db.owner`select id::int, full_name from data.customers order by id limit 3`) as unknown as Array<{ id: number }>;
    const ids = customers.map((c) => c.id);
    const orders = (await world.db.owner`
      select id::int, customer_id::int, total::float8 from data.orders where customer_id in ${world.db.owner(ids)} order by id`) as unknown as Array<{
      id: number;
      customer_id: number;
    }>;
    const items = await world.db.owner`
      select i.order_id::int, i.quantity, json_build_object('name', p.name) as products
      from data.order_items i join data.products p on p.id = i.product_id
      where i.order_id in ${world.db.owner(orders.map((o) => o.id))} order by i.id`;
    const expected = nestUnder(customers, nestUnder(orders, [...items], "order_id", "order_items"), "customer_id", "orders");
    expect(items.length).toBeGreaterThan(orders.length);
    expect(orders.length).toBeGreaterThan(customers.length);
    expect(data).toEqual(expected);
  });

  it("filters, orders and limits each level by path (QuerySpec, RangeSpec)", async () => {
    expect((await get("/clients?select=id,projects(id,tasks(id,name))&projects.tasks.name=like.Design*")).body).toEqual([
      {
        id: 1,
        projects: [
          { id: 1, tasks: [{ id: 1, name: "Design w7" }] },
          { id: 2, tasks: [{ id: 3, name: "Design w10" }] },
        ],
      },
      {
        id: 2,
        projects: [
          { id: 3, tasks: [{ id: 5, name: "Design IOS" }] },
          { id: 4, tasks: [{ id: 7, name: "Design OSX" }] },
        ],
      },
    ]);
    const all = await world.raw(
      "/clients?select=id,projects(id,tasks(id))&order=id.asc&limit=1&projects.order=id.asc&projects.limit=2&projects.tasks.order=id.asc&projects.tasks.limit=1",
    );
    expect(all.headers.get("content-range")).toBe("0-0/*");
    expect(await all.json()).toEqual([
      {
        id: 1,
        projects: [
          { id: 1, tasks: [{ id: 1 }] },
          { id: 2, tasks: [{ id: 3 }] },
        ],
      },
    ]);
    // postgrest-js addresses the inner level with a dotted referencedTable.
    const { data } = await world.client
      .from("clients")
      .select("id,projects(id,tasks(id))")
      .eq("id", 2)
      .order("id", { referencedTable: "projects.tasks", ascending: false })
      .or("id.eq.5,id.eq.8", { referencedTable: "projects.tasks" })
      .range(0, 0, { referencedTable: "projects.tasks" });
    expect(data).toEqual([
      {
        id: 2,
        projects: [
          { id: 3, tasks: [{ id: 5 }] },
          { id: 4, tasks: [{ id: 8 }] },
        ],
      },
    ]);
    expect((await get("/clients?select=id,projects(id,tasks(id,name))&projects.tasks2.name=like.Design*")).body).toMatchObject({
      error: { message: "'tasks2' is not an embedded resource in this request", details: { pgrstCode: "PGRST108" } },
    });
  });

  it("windows demo orders and their items by path, as plain SQL with row_number() windows them (control)", async () => {
    const { status, body } = await get(
      "/data.customers?select=id,orders(id,total,order_items(id,quantity))&order=id&limit=4" +
        "&orders.order=total.desc&orders.limit=2&orders.order_items.order=quantity.desc&orders.order_items.limit=1&orders.order_items.quantity=gt.1",
    );
    expect(status).toBe(200);
    const customers = (await world.db.owner`select id::int from data.customers order by id limit 4`) as unknown as Array<{ id: number }>;
    const orders = (await world.db.owner`
      select id, customer_id, total from (
        select id::int, customer_id::int, total::float8, row_number() over (partition by customer_id order by total desc, id) as n
        from data.orders where customer_id in ${world.db.owner(customers.map((c) => c.id))}) o
      where n <= 2 order by customer_id, n`) as unknown as Array<{ id: number; customer_id: number }>;
    const items = await world.db.owner`
      select id, order_id, quantity from (
        select id::int, order_id::int, quantity, row_number() over (partition by order_id order by quantity desc, id) as n
        from data.order_items where quantity > 1 and order_id in ${world.db.owner(orders.map((o) => o.id))}) i
      where n <= 1 order by order_id`;
    expect(orders).toHaveLength(8);
    expect(body).toEqual(nestUnder(customers, nestUnder(orders, [...items], "order_id", "order_items"), "customer_id", "orders"));
  });

  it("takes !inner at the lower level, both levels or the upper one only (EmbedInnerJoinSpec), and counts as it keeps", async () => {
    const both = "/entities?select=id,child_entities!inner(id,grandchild_entities!inner(id))";
    expect((await get(`${both}&child_entities.grandchild_entities.id=in.(1,5)`)).body).toEqual([
      {
        id: 1,
        child_entities: [
          { id: 1, grandchild_entities: [{ id: 1 }] },
          { id: 2, grandchild_entities: [{ id: 5 }] },
        ],
      },
    ]);
    expect((await get(`${both}&child_entities.grandchild_entities.id=eq.2`)).body).toEqual([
      { id: 1, child_entities: [{ id: 1, grandchild_entities: [{ id: 2 }] }] },
    ]);
    const head = await world.raw(`${both}&child_entities.grandchild_entities.id=in.(1,5)`, { method: "HEAD", headers: { prefer: "count=exact" } });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-range")).toBe("0-0/1");
    // Only the direct embed's join shapes its parents: a left embed below an inner one empties instead.
    const upper = "/entities?select=id,child_entities!inner(id,grandchild_entities(id))&child_entities.grandchild_entities.id=eq.2";
    expect((await get(upper)).body).toEqual([
      {
        id: 1,
        child_entities: [
          { id: 1, grandchild_entities: [{ id: 2 }] },
          { id: 2, grandchild_entities: [] },
          { id: 4, grandchild_entities: [] },
          { id: 5, grandchild_entities: [] },
        ],
      },
      {
        id: 2,
        child_entities: [
          { id: 3, grandchild_entities: [] },
          { id: 6, grandchild_entities: [] },
        ],
      },
    ]);
    const counted = await world.raw(upper, { method: "HEAD", headers: { prefer: "count=exact" } });
    expect(counted.headers.get("content-range")).toBe("0-1/2");
    // The lower level alone: every parent kept, each showing only the children that have a match.
    expect(
      (await get("/entities?select=id,child_entities(id,grandchild_entities!inner(id))&id=lt.3&child_entities.grandchild_entities.id=gt.3")).body,
    ).toEqual([
      { id: 1, child_entities: [{ id: 2, grandchild_entities: [{ id: 4 }, { id: 5 }] }] },
      { id: 2, child_entities: [] },
    ]);
  });
});

describe("spreads (SpreadQueriesSpec)", () => {
  it("lifts a to-one embed's columns into the parent, null without a match", async () => {
    const { data } = await world.client.from("projects").select("id,...clients(client_name:name)");
    expect(data).toEqual([
      { id: 1, client_name: "Microsoft" },
      { id: 2, client_name: "Microsoft" },
      { id: 3, client_name: "Apple" },
      { id: 4, client_name: "Apple" },
      { id: 5, client_name: null },
    ]);
  });

  it("nests, and works inside a normal embed", async () => {
    expect(
      (await get("/grandchild_entities?select=name,...child_entities(parent_name:name,...entities(grandparent_name:name))&limit=3")).body,
    ).toEqual([
      { name: "grandchild entity 1", parent_name: "child entity 1", grandparent_name: "entity 1" },
      { name: "grandchild entity 2", parent_name: "child entity 1", grandparent_name: "entity 1" },
      { name: "grandchild entity 3", parent_name: "child entity 2", grandparent_name: "entity 1" },
    ]);
    expect((await get("/grandchild_entities?select=name,child_entity:child_entities(name,...entities(parent_name:name))&limit=1")).body).toEqual([
      { name: "grandchild entity 1", child_entity: { name: "child entity 1", parent_name: "entity 1" } },
    ]);
  });

  it("keeps the typed values of the demo data and takes !inner with a filter", async () => {
    const { data } = await world.client
      .schema("data")
      .from("orders")
      .select("id,...customers!inner(full_name,country)")
      .eq("customers.country", "FR")
      .order("id")
      .limit(3);
    const expected = await world.db.owner`
      select o.id::int, c.full_name, c.country from data.orders o join data.customers c on c.id = o.customer_id
      where c.country = 'FR' order by o.id limit 3`;
    expect(data).toEqual(expected.map((r) => ({ id: r.id, full_name: r.full_name, country: r.country })));
  });

  it("refuses a to-many spread with PostgREST's PGRST119", async () => {
    const { status, body } = await get("/clients?select=*,...projects(*)");
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: {
        code: "bad_request",
        message: "A spread operation on 'projects' is not possible",
        details: { pgrstCode: "PGRST119", hint: "'clients' and 'projects' do not form a many-to-one or one-to-one relationship" },
      },
    });
  });
});

describe("the README's examples", () => {
  it("answer on the demo data exactly as the README shows them", async () => {
    const spread = await world.raw(
      "/data.orders?select=id,total,...customers!inner(full_name,country)&customers.country=eq.JP&order=total.desc&limit=3",
    );
    expect(await spread.text()).toBe(
      '[{"id":1562,"total":4889.43,"full_name":"Ken Hopper","country":"JP"},{"id":3453,"total":4750.01,"full_name":"Margaret Thompson","country":"JP"},' +
        '{"id":2020,"total":4306.16,"full_name":"Radia Berners-Lee","country":"JP"}]',
    );
    const windowed = await world.raw(
      "/data.customers?select=id,full_name,orders(id,total)&orders.order=total.desc&orders.limit=2&country=eq.SE&limit=2",
    );
    expect(await windowed.text()).toBe(
      // json_agg separates the elements of an embedded array with ", " and a line break, as PostgREST's json_agg does.
      '[{"id":1,"full_name":"Donald Johnson","orders":[{"id":4970,"total":2130.17}, \n {"id":4189,"total":1900.23}]},' +
        '{"id":6,"full_name":"Barbara Thompson","orders":[{"id":3688,"total":2822.30}, \n {"id":1217,"total":2322.43}]}]',
    );
    const nested = await world.raw(
      "/data.customers?select=id,full_name,orders(id,total,order_items(quantity,products(name)))&country=eq.SE&limit=2" +
        "&orders.order=total.desc&orders.limit=2&orders.order_items.order=quantity.desc&orders.order_items.limit=1",
    );
    expect(await nested.text()).toBe(
      '[{"id":1,"full_name":"Donald Johnson","orders":[{"id":4970,"total":2130.17,"order_items":[{"quantity":4,"products":{"name":"Smart Speaker 17"}}]}, \n ' +
        '{"id":4189,"total":1900.23,"order_items":[{"quantity":4,"products":{"name":"Silent Speaker 12"}}]}]},' +
        '{"id":6,"full_name":"Barbara Thompson","orders":[{"id":3688,"total":2822.30,"order_items":[{"quantity":4,"products":{"name":"Smart Notebook 45"}}]}, \n ' +
        '{"id":1217,"total":2322.43,"order_items":[{"quantity":4,"products":{"name":"Rugged Puzzle 28"}}]}]}]',
    );
  });
});

describe("null filters on embeds (RelatedQueriesSpec)", () => {
  it("keeps the parents that have (not.is.null) or lack (is.null) a to-one embed, an empty embed in no output", async () => {
    expect((await world.client.from("projects").select("name,clients()").not("clients", "is", null)).data).toEqual([
      { name: "Windows 7" },
      { name: "Windows 10" },
      { name: "IOS" },
      { name: "OSX" },
    ]);
    expect((await world.client.from("projects").select("name,clients()").is("clients", null)).data).toEqual([{ name: "Orphan" }]);
    const counted = await world.raw("/projects?select=name,clients(name)&clients=not.is.null", { headers: { prefer: "count=exact" } });
    expect(counted.headers.get("content-range")).toBe("0-3/4");
    expect(await counted.json()).toEqual([
      { name: "Windows 7", clients: { name: "Microsoft" } },
      { name: "Windows 10", clients: { name: "Microsoft" } },
      { name: "IOS", clients: { name: "Apple" } },
      { name: "OSX", clients: { name: "Apple" } },
    ]);
  });

  it("works on to-many embeds, by alias, with the embed's own filters, and nested", async () => {
    expect((await get("/entities?select=name,child_entities()&child_entities=not.is.null")).body).toEqual([
      { name: "entity 1" },
      { name: "entity 2" },
    ]);
    expect((await get("/entities?select=name,childs:child_entities()&childs=is.null")).body).toEqual([{ name: "entity 3" }, { name: null }]);
    expect((await get("/entities?select=id,child_entities()&child_entities.id=eq.3&child_entities=not.is.null")).body).toEqual([{ id: 2 }]);
    expect(
      (
        await get(
          "/entities?select=name,child_entities(name,grandchild_entities())&child_entities.grandchild_entities=not.is.null&child_entities=not.is.null",
        )
      ).body,
    ).toEqual([{ name: "entity 1", child_entities: [{ name: "child entity 1" }, { name: "child entity 2" }] }]);
  });

  it("leaves a filter on a column alone, even one an embed is named by (control)", async () => {
    expect((await get("/projects?select=name,client_id,client:client_id(name)&client_id=eq.2")).body).toEqual([
      { name: "IOS", client_id: 2, client: { name: "Apple" } },
      { name: "OSX", client_id: 2, client: { name: "Apple" } },
    ]);
  });
});

describe("embeds in CSV", () => {
  it("writes a to-one embed as its JSON text and a spread's columns as plain cells (control: the same read as JSON)", async () => {
    const response = await world.raw("/projects?select=id,client:clients(name),...clients(client_name:name)&id=in.(1,5)", {
      headers: { accept: "text/csv" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('id,client,client_name\r\n1,"{""name"":""Microsoft""}",Microsoft\r\n5,,\r\n');
    const json = await get("/projects?select=id,client:clients(name),...clients(client_name:name)&id=in.(1,5)");
    expect(json.body).toEqual([
      { id: 1, client: { name: "Microsoft" }, client_name: "Microsoft" },
      { id: 5, client: null, client_name: null },
    ]);
  });
});

describe("only the catalog's relations can be embedded", () => {
  it("refuses every embed form over a foreign key into a schema that is not exposed (control: the key column itself)", async () => {
    for (const select of [
      "id,secrets(secret)",
      "id,secret_id(secret)",
      "id,secrets!inner(secret)",
      "id,...secrets(secret)",
      "id,s:secrets!with_secret_secret_id_fkey(*)",
    ]) {
      const { status, body } = await get(`/with_secret?select=${select}`);
      expect(status, select).toBe(400);
      expect(body, select).toMatchObject({ error: { details: { reason: "no_relationship", pgrstCode: "PGRST200" } } });
      expect(JSON.stringify(body)).not.toContain("vault");
    }
    expect((await get("/with_secret?select=id,secret_id&secrets.secret=eq.x")).body).toMatchObject({ error: { details: { pgrstCode: "PGRST108" } } });
    expect((await get("/with_secret?select=id,secret_id")).body).toEqual([{ id: 1, secret_id: 1 }]);
  });
});
