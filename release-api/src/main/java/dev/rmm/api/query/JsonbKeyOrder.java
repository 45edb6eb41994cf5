package dev.rmm.api.query;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A view whose JSON keys {@link QueryJson} writes in the order Postgres' {@code jsonb} keeps them:
 * shorter keys first, keys of one length by their bytes. The query answers' rows were built by
 * Postgres ({@code to_jsonb}, {@code jsonb_build_object}) until they became typed views, and their
 * clients have always seen that order (QueryAnswersGoldenTest pins it).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface JsonbKeyOrder {}
