package dev.rmm.contracts;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The wire type name of each class of a sealed family, read from its {@code TYPE} constant. */
final class TypeRegistry {

  private TypeRegistry() {}

  /** Type name to class, for every class of {@code all}, each of which declares {@code TYPE}. */
  static <T> Map<String, Class<? extends T>> of(List<Class<? extends T>> all) {
    Map<String, Class<? extends T>> m = new LinkedHashMap<>();
    for (Class<? extends T> c : all) {
      try {
        Field f = c.getField("TYPE");
        m.put((String) f.get(null), c);
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException(c + " has no TYPE constant", ex);
      }
    }
    return Map.copyOf(m);
  }
}
