import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs a Flink SQL script statement by statement through {@link TableEnvironment#executeSql}.
 *
 * <p>Why: no package on this project's registries ships the SQL Gateway jar, so
 * {@code sql-client.sh -f} cannot be used. Submit with
 * {@code flink run -d runner.jar job.sql}; the same jar works in the official Flink image.
 *
 * <ul>
 *   <li>{@code ${NAME}} and {@code ${NAME:-default}} in statements (not in comments) are
 *       replaced from the environment; an unset variable without a default is an error.
 *   <li>Statements end at {@code ;} outside string literals ({@code '...'} with {@code ''}
 *       escapes), quoted identifiers ({@code "..."}, {@code `...`}) and comments
 *       ({@code -- ...}, {@code /* ... *}{@code /}). Comment-only statements are skipped.
 *   <li>{@code SET 'key' = 'value'} is applied to the configuration; the SETs before the first
 *       other statement are passed to the environment when it is created, so execution options
 *       (checkpointing, pipeline.name, state backend) reach the job.
 *   <li>{@code EXECUTE STATEMENT SET BEGIN ... END;} is kept together as one statement.
 * </ul>
 *
 * <p>Usage: {@code SqlRunner SCRIPT.sql [--dry-run]} ({@code --dry-run} prints the statements
 * after substitution and exits).
 */
public final class SqlRunner {
    private static final Pattern SET_STMT =
            Pattern.compile("(?is)^SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'$");
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SqlRunner SCRIPT.sql [--dry-run]");
            System.exit(2);
        }
        boolean dryRun = args.length > 1 && "--dry-run".equals(args[1]);
        Path script = Paths.get(args[0]);
        String text = new String(Files.readAllBytes(script), StandardCharsets.UTF_8);
        // Split first so that placeholders in comments are ignored.
        List<String> statements = new ArrayList<>();
        for (String stmt : split(text)) {
            statements.add(substitute(stmt, System.getenv()));
        }

        Configuration initial = new Configuration();
        int first = 0;
        for (; first < statements.size(); first++) {
            String[] kv = parseSet(statements.get(first));
            if (kv == null) {
                break;
            }
            initial.setString(kv[0], kv[1]);
        }
        if (dryRun) {
            for (String s : statements) {
                System.out.println(s + ";\n");
            }
            return;
        }

        TableEnvironment tEnv =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(initial)
                                .build());
        for (int i = 0; i < first; i++) {
            String[] kv = parseSet(statements.get(i));
            tEnv.getConfig().getConfiguration().setString(kv[0], kv[1]);
            System.out.println("[sql-runner] SET " + kv[0] + " = " + kv[1]);
        }
        for (int i = first; i < statements.size(); i++) {
            String stmt = statements.get(i);
            String[] kv = parseSet(stmt);
            if (kv != null) {
                tEnv.getConfig().getConfiguration().setString(kv[0], kv[1]);
                System.out.println("[sql-runner] SET " + kv[0] + " = " + kv[1]);
                continue;
            }
            System.out.println("[sql-runner] executing: " + firstLine(stmt));
            TableResult result;
            try {
                result = tEnv.executeSql(stmt);
            } catch (Exception e) {
                System.err.println("[sql-runner] statement " + (i + 1) + " failed:\n" + stmt);
                throw e;
            }
            result.getJobClient()
                    .ifPresent(c -> System.out.println("[sql-runner] submitted job " + c.getJobID()));
            String upper = stmt.trim().toUpperCase(Locale.ROOT);
            if (!result.getJobClient().isPresent()
                    && (upper.startsWith("SHOW") || upper.startsWith("EXPLAIN") || upper.startsWith("DESC"))) {
                result.print();
            }
        }
    }

    static String[] parseSet(String stmt) {
        Matcher m = SET_STMT.matcher(stmt.trim());
        if (!m.matches()) {
            return null;
        }
        return new String[] {m.group(1).replace("''", "'"), m.group(2).replace("''", "'")};
    }

    static String substitute(String text, Map<String, String> env) {
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || value.isEmpty()) {
                if (m.group(2) == null) {
                    throw new IllegalArgumentException(
                            "environment variable " + m.group(1) + " is not set (used as ${" + m.group(1) + "})");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Splits a script into statements; comments are dropped, literals kept verbatim. */
    static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && next == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                cur.append(' ');
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == c) {
                        if (j + 1 < n && sql.charAt(j + 1) == c) {
                            j += 2; // doubled quote = escaped quote
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                if (j >= n) {
                    throw new IllegalArgumentException("unterminated " + c + " quote in SQL script");
                }
                cur.append(sql, i, j + 1);
                i = j + 1;
                continue;
            }
            if (c == ';' && !insideStatementSet(cur)) {
                add(out, cur);
                cur.setLength(0);
                i++;
                continue;
            }
            cur.append(c);
            i++;
        }
        add(out, cur);
        return out;
    }

    private static final Pattern STATEMENT_SET_START =
            Pattern.compile("(?is)^\\s*EXECUTE\\s+STATEMENT\\s+SET\\b.*");
    private static final Pattern STATEMENT_SET_END = Pattern.compile("(?is).*\\bEND\\s*$");

    private static boolean insideStatementSet(StringBuilder cur) {
        String s = cur.toString();
        return STATEMENT_SET_START.matcher(s).matches()
                && s.toUpperCase(Locale.ROOT).contains("BEGIN")
                && !STATEMENT_SET_END.matcher(s).matches();
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().trim();
        if (!s.isEmpty()) {
            out.add(s);
        }
    }

    private static String firstLine(String stmt) {
        String s = stmt.replaceAll("\\s+", " ");
        return s.length() > 100 ? s.substring(0, 100) + " ..." : s;
    }
}
