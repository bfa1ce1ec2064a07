/**
 * The inverted-file indexes of the embedded engine, IVF-FLAT and IVF-PQ
 * ({@link dev.quiver.local.internal.ivf.IvfIndex}, the only type the engine uses, with
 * {@link dev.quiver.local.internal.ivf.IvfQuantizer}, {@link dev.quiver.local.internal.ivf.IvfParams}
 * and {@link dev.quiver.local.internal.ivf.IvfStats}). Internal.
 */
package dev.quiver.local.internal.ivf;
