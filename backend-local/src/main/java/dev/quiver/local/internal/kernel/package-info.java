/** Distance kernels: plain Java and, when available at run time, the Panama Vector API. Internal. */
package dev.quiver.local.internal.kernel;
