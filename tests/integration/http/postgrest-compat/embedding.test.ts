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

  it("refuses a to-many embed inside a to-many embed, and too many embeds, with a 400", async () => {
    expect((await get("/person?select=id,message!sender(id,person!recipient(id))")).status).toBe(200); // to-one inside to-many: fine
    const fanOut = await get("/family_tree?select=id,c:family_tree!parent(id,g:family_tree!parent(id,h:family_tree!parent(id)))");
    expect(fanOut.status).toBe(400);
    const many = await get(`/message?select=id,${Array.from({ length: 9 }, (_, i) => `s${i}:sender(id)`).join(",")}`);
    expect(many.status).toBe(400);
  });
});
