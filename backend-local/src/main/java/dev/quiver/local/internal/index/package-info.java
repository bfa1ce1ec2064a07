/**
 * Vector indexes of the embedded engine: the HNSW graph ({@link dev.quiver.local.internal.index.HnswGraph},
 * the only type the engine uses, with {@link dev.quiver.local.internal.index.OrdinalTable}). Internal.
 */
package dev.quiver.local.internal.index;
