package dev.quiver.example.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /search}, checked: every bad one is a {@link BadRequest} naming the
 * parameter, and nothing is searched.
 *
 * @param q the query text (1 to {@value #MAX_QUERY} characters, not blank)
 * @param k how many documents ({@value #MIN_K} to {@value #MAX_K}, default {@value #DEFAULT_K})
 * @param tenant the tenant to search; empty for every known tenant
 * @param tags only documents with one of these tags (comma-separated in the request; at most {@value #MAX_TAGS})
 */
public record SearchQuery(String q, int k, Optional<String> tenant, List<String> tags) {

  public static final int MAX_QUERY = 1000;
  public static final int MIN_K = 1;
  public static final int MAX_K = 50;
  public static final int DEFAULT_K = 10;
  public static final int MAX_TAGS = 16;
  public static final int MAX_TAG_LENGTH = 100;
  /** Quiver's rule for tenant names (VectorCollection#tenant), checked before the store is asked. */
  static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_\\-.@:]{1,64}");
  private static final Set<String> PARAMETERS = Set.of("q", "k", "tenant", "tags");

  /**
   * A refused request: HTTP 400 with a JSON body {@code {"error": {"code", "parameter", "message"}}}.
   */
  public static final class BadRequest extends RuntimeException {
    private final String code;
    private final String parameter;

    public BadRequest(String code, String parameter, String message) {
      super(message);
      this.code = code;
      this.parameter = parameter;
    }

    /** @return a stable machine-readable code, e.g. {@code k_out_of_range} */
    public String code() {
      return code;
    }

    /** @return the parameter at fault */
    public String parameter() {
      return parameter;
    }
  }

  /**
   * @param params the query string, each name with all its values
   * @return the checked query
   * @throws BadRequest on an unknown or repeated parameter, a missing or blank {@code q}, a {@code k}
   *     that is not a whole number in range, a malformed tenant name or tag list
   */
  public static SearchQuery parse(Map<String, List<String>> params) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!PARAMETERS.contains(e.getKey())) {
        throw new BadRequest("unknown_parameter", e.getKey(), "unknown parameter '" + clip(e.getKey())
            + "'; /search takes q, k, tenant and tags");
      }
      if (e.getValue().size() > 1) {
        throw new BadRequest("repeated_parameter", e.getKey(), "parameter '" + e.getKey() + "' is given "
            + e.getValue().size() + " times; give it once (tags: comma-separated)");
      }
    }
    String q = one(params, "q");
    if (q == null || q.isBlank()) {
      throw new BadRequest("missing_query", "q", "parameter 'q' (the text to search for) is missing or blank");
    }
    if (q.length() > MAX_QUERY) {
      throw new BadRequest("query_too_long", "q", "parameter 'q' is " + q.length() + " characters long; at most " + MAX_QUERY);
    }
    int k = DEFAULT_K;
    String kText = one(params, "k");
    if (kText != null) {
      try {
        k = Integer.parseInt(kText.strip());
      } catch (NumberFormatException e) {
        throw new BadRequest("invalid_k", "k", "parameter 'k' must be a whole number from " + MIN_K + " to " + MAX_K
            + ", not '" + clip(kText) + "'");
      }
      if (k < MIN_K || k > MAX_K) {
        throw new BadRequest("k_out_of_range", "k", "parameter 'k' is " + k + "; it must be from " + MIN_K + " to " + MAX_K);
      }
    }
    Optional<String> tenant = Optional.ofNullable(one(params, "tenant")).filter(t -> !t.isEmpty());
    if (tenant.isPresent() && !TENANT.matcher(tenant.get()).matches()) {
      throw new BadRequest("invalid_tenant", "tenant", "parameter 'tenant' is '" + clip(tenant.get())
          + "'; a tenant name is 1 to 64 characters from A-Z a-z 0-9 _ - . @ :");
    }
    List<String> tags = new ArrayList<>();
    String tagText = one(params, "tags");
    if (tagText != null && !tagText.isBlank()) {
      for (String t : tagText.split(",", -1)) {
        String tag = t.strip();
        if (tag.isEmpty() || tag.length() > MAX_TAG_LENGTH || tag.chars().anyMatch(Character::isISOControl)) {
          throw new BadRequest("invalid_tags", "tags", "parameter 'tags' must be a comma-separated list of tags of 1 to "
              + MAX_TAG_LENGTH + " printable characters, not '" + clip(tagText) + "'");
        }
        if (!tags.contains(tag)) {
          tags.add(tag);
        }
      }
      if (tags.size() > MAX_TAGS) {
        throw new BadRequest("too_many_tags", "tags", "parameter 'tags' names " + tags.size() + " tags; at most " + MAX_TAGS);
      }
    }
    return new SearchQuery(q.strip(), k, tenant, List.copyOf(tags));
  }

  private static String one(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** Echoed input is cut short, so an error stays small whatever was sent. */
  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
