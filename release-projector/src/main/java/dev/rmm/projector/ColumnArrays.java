package dev.rmm.projector;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The rows of one multi-row statement sent as one array per column and expanded by Postgres's
 * {@code unnest}: {@code INSERT ... SELECT ... FROM unnest($1::text[], $2::int8[], ...)}. A batch
 * of any size is then one statement with one parameter per column, where a statement per row (even
 * pipelined) costs Postgres a parse-bind-execute and an executor start for every row. JSON columns
 * travel as text and are cast once in the statement.
 */
final class ColumnArrays {

  /** The Postgres type of a column, and the Java array it travels in. */
  enum Type {
    TEXT("text"),
    JSONB("text"),
    INT4("int4"),
    INT8("int8"),
    BOOL("bool"),
    TIMESTAMPTZ("timestamptz");

    private final String sqlArray;

    Type(String element) {
      this.sqlArray = element + "[]";
    }
  }

  private final String[] names;
  private final Type[] types;

  /**
   * @param columns the column names, comma-separated, in the order of the rows' values
   * @param types one per column
   */
  ColumnArrays(String columns, Type... types) {
    this.names = columns.split(",");
    for (int i = 0; i < names.length; i++) {
      names[i] = names[i].trim();
    }
    if (names.length != types.length) {
      throw new IllegalArgumentException(names.length + " columns but " + types.length + " types");
    }
    this.types = types.clone();
  }

  /** The column list, as in {@code INSERT INTO t (<columns>)}. */
  String columns() {
    return String.join(", ", names);
  }

  /** {@code SELECT <columns> FROM unnest($first::type[], ...) AS t(<columns>)}, JSON cast. */
  String select(int first) {
    StringBuilder select = new StringBuilder("SELECT ");
    StringBuilder unnest = new StringBuilder(" FROM unnest(");
    for (int i = 0; i < names.length; i++) {
      String sep = i == 0 ? "" : ", ";
      select.append(sep).append(names[i]);
      if (types[i] == Type.JSONB) {
        select.append("::jsonb");
      }
      unnest.append(sep).append('$').append(first + i).append("::").append(types[i].sqlArray);
    }
    return select.append(unnest).append(") AS t(").append(columns()).append(')').toString();
  }

  /** One array per column, from rows of values in column order (instants as UTC, in micros). */
  Object[] arrays(List<List<Object>> rows) {
    int n = rows.size();
    Object[] out = new Object[types.length];
    for (int c = 0; c < types.length; c++) {
      out[c] =
          switch (types[c]) {
            case TEXT, JSONB -> new String[n];
            case INT4 -> new Integer[n];
            case INT8 -> new Long[n];
            case BOOL -> new Boolean[n];
            case TIMESTAMPTZ -> new OffsetDateTime[n];
          };
    }
    for (int r = 0; r < n; r++) {
      List<Object> row = rows.get(r);
      for (int c = 0; c < types.length; c++) {
        ((Object[]) out[c])[r] = convert(types[c], row.get(c));
      }
    }
    return out;
  }

  private static Object convert(Type type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type) {
      case TEXT, JSONB -> (String) v;
      case INT4 -> ((Number) v).intValue();
      case INT8 -> ((Number) v).longValue();
      case BOOL -> (Boolean) v;
      case TIMESTAMPTZ -> Projection.utc((Instant) v);
    };
  }
}
