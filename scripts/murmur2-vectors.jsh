// Regenerates test/fixtures/murmur2-java-vectors.json from the Java client itself:
//   jshell --class-path "$(cat .local-kafka/classpath-*.txt)" scripts/murmur2-vectors.jsh > test/fixtures/murmur2-java-vectors.json
import org.apache.kafka.common.utils.Utils;
import java.nio.charset.StandardCharsets;
String[] keys = {"", "a", "ab", "abc", "21", "foobar", "tenant-1", "tenant-42", "acme-corp", "Tenant_A", "Tenant_C",
  "a-little-bit-long-string", "a-little-bit-longer-string", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
  "ünïcødé-tenant", "租户-7", "🐘-elephant", "user:12345", "0", "9999999999"};
int[] ns = {1, 2, 3, 7, 8, 12, 50};
StringBuilder sb = new StringBuilder("[\n");
for (int i = 0; i < keys.length; i++) {
  byte[] b = keys[i].getBytes(StandardCharsets.UTF_8);
  int h = Utils.murmur2(b);
  StringBuilder parts = new StringBuilder();
  for (int j = 0; j < ns.length; j++) parts.append(j == 0 ? "" : ", ").append("\"" + ns[j] + "\": " + (Utils.toPositive(h) % ns[j]));
  String esc = keys[i].replace("\\", "\\\\").replace("\"", "\\\"");
  sb.append("  { \"key\": \"" + esc + "\", \"murmur2\": " + h + ", \"partitionFor\": { " + parts + " } }" + (i + 1 < keys.length ? "," : "") + "\n");
}
sb.append("]");
System.out.println(sb);
/exit
