package dev.quiver;

import java.util.Objects;

/** A credential (API key, token, password). Prints as {@code ***}; only {@link #reveal()} gives the value. */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * @param value the secret
   * @return the wrapped secret
   */
  public static Secret of(String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidArgumentException("a secret must not be empty");
    }
    return new Secret(value);
  }

  /** @return the secret itself; pass it to the wire and nowhere else */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return "***";
  }
}
