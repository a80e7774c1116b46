/**
 * How many API requests a server answered on its direct path (lib/server/4-direct-api.ts), from
 * its own counter in /api/metrics: the tests' proof of which door a request took.
 */
export async function directRequestCount(url: string, metricsToken: string): Promise<number> {
  const response = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  if (response.status !== 200) throw new Error(`/api/metrics answered ${response.status}`);
  const line = (await response.text()).split("\n").find((l) => l.startsWith("sluice_http_direct_requests_total "));
  return Number(line?.split(" ")[1] ?? NaN);
}
