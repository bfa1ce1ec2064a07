/**
 * Durable storage of the embedded engine: a versioned, checksummed file envelope
 * ({@link dev.quiver.local.internal.storage.FileFormat}), a write-ahead log with group commit and
 * torn-tail recovery ({@link dev.quiver.local.internal.storage.WriteAheadLog}), snapshots committed by
 * atomic rename and a manifest, all behind one facade,
 * {@link dev.quiver.local.internal.storage.StoreStorage}. Every file-system call goes through
 * {@link dev.quiver.local.internal.storage.StorageIO} so tests can inject faults. The formats and
 * guarantees are described in {@code docs/storage-format.md}. Internal: not part of Quiver's API.
 */
package dev.quiver.local.internal.storage;
