package dev.rmm.api.release;

/** A lifecycle step reported by a pipeline or the orchestrator: the status reached. */
public record StepRequest(String status, String detail) {}
