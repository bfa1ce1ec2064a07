/** Vector indexes of the embedded engine (HNSW graph, search planning). Internal. */
package dev.quiver.local.internal.index;
