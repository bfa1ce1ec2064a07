/** Metadata indexes that compute the exact set of records a filter matches. Internal. */
package dev.quiver.local.internal.filter;
