package dev.quiver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Recursive-descent parser for the filter text syntax (grammar in {@link Filter#parse(String)}). */
final class FilterParser {

  private enum Kind { WORD, STRING, NUMBER, SYMBOL, END }

  private record Token(Kind kind, String text, Object value, int pos) {
    boolean is(String symbolOrKeyword) {
      return (kind == Kind.SYMBOL && text.equals(symbolOrKeyword))
          || (kind == Kind.WORD && text.equalsIgnoreCase(symbolOrKeyword));
    }
  }

  private final String src;
  private final List<Token> tokens;
  private int next;
  private int depth;

  private FilterParser(String src) {
    this.src = src;
    this.tokens = tokenize(src);
  }

  static Filter parse(String text) {
    if (text == null) {
      throw new InvalidFilterException("filter text must not be null", -1);
    }
    FilterParser p = new FilterParser(text);
    if (p.peek().kind == Kind.END) {
      throw new InvalidFilterException("filter is empty", 0);
    }
    Filter f = p.or();
    Token t = p.peek();
    if (t.kind != Kind.END) {
      throw p.error("unexpected " + describe(t) + "; expected 'and', 'or' or the end", t.pos);
    }
    return f;
  }

  // ---- grammar ----

  private Filter or() {
    List<Filter> ops = new ArrayList<>();
    ops.add(and());
    while (peek().is("or") || peek().is("||")) {
      next++;
      ops.add(and());
    }
    return ops.size() == 1 ? ops.get(0) : build(() -> new Filter.Or(ops), peek().pos);
  }

  private Filter and() {
    List<Filter> ops = new ArrayList<>();
    ops.add(unary());
    while (peek().is("and") || peek().is("&&")) {
      next++;
      ops.add(unary());
    }
    return ops.size() == 1 ? ops.get(0) : build(() -> new Filter.And(ops), peek().pos);
  }

  private Filter unary() {
    Token t = peek();
    if (++depth > Filter.MAX_DEPTH) {
      throw error("filter is nested deeper than " + Filter.MAX_DEPTH + " levels", t.pos);
    }
    try {
      if (t.is("not") || t.is("!")) {
        next++;
        Filter operand = unary();
        return build(() -> new Filter.Not(operand), t.pos);
      }
      if (t.is("(")) {
        next++;
        Filter inner = or();
        expect(")", "to close the '(' at position " + t.pos);
        return inner;
      }
      return predicate();
    } finally {
      depth--;
    }
  }

  private Filter predicate() {
    Token t = peek();
    if (t.is("exists") && peekAt(1).is("(")) {
      next += 2;
      String field = field();
      expect(")", "after the field of exists(");
      return build(() -> new Filter.Exists(field), t.pos);
    }
    String field = field();
    Token op = peek();
    if (op.is("not") || op.is("in")) {
      next++;
      boolean negated = op.is("not");
      if (negated) {
        expect("in", "after 'not' (write 'not in [...]')");
      }
      List<Object> values = list();
      Filter in = build(() -> new Filter.In(field, values), op.pos);
      return negated ? new Filter.Not(in) : in;
    }
    if (op.kind == Kind.SYMBOL) {
      Filter.Operator operator = switch (op.text) {
        case "==", "!=" -> Filter.Operator.EQ;
        case ">" -> Filter.Operator.GT;
        case ">=" -> Filter.Operator.GTE;
        case "<" -> Filter.Operator.LT;
        case "<=" -> Filter.Operator.LTE;
        case "=" -> throw error("'=' is not an operator; use '=='", op.pos);
        default -> null;
      };
      if (operator != null) {
        next++;
        Token lit = peek();
        Object value = literal();
        if (operator.isRange() && !(value instanceof Number)) {
          throw error("range operator " + op.text + " takes a number, got " + describe(lit), lit.pos);
        }
        Filter cmp = build(() -> new Filter.Comparison(field, operator, value), lit.pos);
        return op.text.equals("!=") ? new Filter.Not(cmp) : cmp;
      }
    }
    throw error("expected an operator (==, !=, >, >=, <, <=, in, not in) after '" + field + "', got " + describe(op),
        op.pos);
  }

  private List<Object> list() {
    expect("[", "to open the list of 'in'");
    List<Object> values = new ArrayList<>();
    if (peek().is("]")) {
      throw error("'in' needs at least one value", peek().pos);
    }
    values.add(literal());
    while (peek().is(",")) {
      next++;
      values.add(literal());
    }
    expect("]", "to close the list of 'in'");
    return values;
  }

  private String field() {
    Token t = peek();
    if (t.kind != Kind.WORD || isKeyword(t.text)) {
      throw error("expected a field name, got " + describe(t), t.pos);
    }
    next++;
    return build(() -> Metadata.checkKey(t.text), t.pos);
  }

  private Object literal() {
    Token t = peek();
    if (t.kind == Kind.STRING || t.kind == Kind.NUMBER) {
      next++;
      return t.value;
    }
    if (t.is("true") || t.is("false")) {
      next++;
      return t.is("true");
    }
    throw error("expected a value (a quoted string, a number, true or false), got " + describe(t), t.pos);
  }

  private void expect(String symbol, String why) {
    Token t = peek();
    if (!t.is(symbol)) {
      throw error("expected '" + symbol + "' " + why + ", got " + describe(t), t.pos);
    }
    next++;
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(next + ahead, tokens.size() - 1));
  }

  /** Runs a node constructor, giving its validation error the position in the text. */
  private <T> T build(java.util.function.Supplier<T> node, int pos) {
    try {
      return node.get();
    } catch (InvalidFilterException e) {
      throw e.position() >= 0 ? e : error(e.getMessage(), pos);
    } catch (InvalidArgumentException e) {
      throw error(e.getMessage(), pos);
    }
  }

  private InvalidFilterException error(String message, int pos) {
    return new InvalidFilterException(message + " in filter \"" + abbreviate(src) + "\"", pos);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static boolean isKeyword(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "and", "or", "not", "in", "exists", "true", "false" -> true;
      default -> false;
    };
  }

  private static String describe(Token t) {
    return switch (t.kind) {
      case END -> "the end of the filter";
      case STRING -> "string " + FilterSupport.text(t.value);
      default -> "'" + t.text + "'";
    };
  }

  // ---- tokens ----

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        i = string(s, i, out);
      } else if (c >= '0' && c <= '9' || c == '-' && i + 1 < n && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '9') {
        i = number(s, i, out);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        out.add(new Token(Kind.WORD, s.substring(start, i), null, start));
      } else {
        String two = i + 1 < n ? s.substring(i, i + 2) : "";
        String sym = switch (two) {
          case "==", "!=", ">=", "<=", "&&", "||" -> two;
          default -> switch (c) {
            case '(', ')', '[', ']', ',', '>', '<', '!', '=' -> String.valueOf(c);
            default -> throw new InvalidFilterException("unexpected character '" + c + "' in filter \""
                + abbreviate(s) + "\"", i);
          };
        };
        out.add(new Token(Kind.SYMBOL, sym, null, i));
        i += sym.length();
      }
    }
    out.add(new Token(Kind.END, "", null, n));
    return out;
  }

  private static int string(String s, int start, List<Token> out) {
    char quote = s.charAt(start);
    StringBuilder sb = new StringBuilder();
    int i = start + 1;
    while (true) {
      if (i >= s.length()) {
        throw new InvalidFilterException("unterminated string starting in filter \"" + abbreviate(s) + "\"", start);
      }
      char c = s.charAt(i);
      if (c == quote) {
        out.add(new Token(Kind.STRING, s.substring(start, i + 1), sb.toString(), start));
        return i + 1;
      }
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          throw new InvalidFilterException("unterminated string starting in filter \"" + abbreviate(s) + "\"", start);
        }
        char e = s.charAt(i + 1);
        switch (e) {
          case '\\', '\'', '"' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (i + 6 > s.length() || !s.substring(i + 2, i + 6).matches("[0-9a-fA-F]{4}")) {
              throw new InvalidFilterException("\\u must be followed by four hex digits in filter \""
                  + abbreviate(s) + "\"", i);
            }
            sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
            i += 4;
          }
          default -> throw new InvalidFilterException("unknown escape '\\" + e + "' in filter \""
              + abbreviate(s) + "\" (use \\\\ \\' \\\" \\n \\r \\t or \\uXXXX)", i);
        }
        i += 2;
      } else {
        sb.append(c);
        i++;
      }
    }
  }

  private static int number(String s, int start, List<Token> out) {
    int i = start;
    if (s.charAt(i) == '-') {
      i++;
    }
    i = digits(s, i);
    boolean decimal = false;
    if (i < s.length() && s.charAt(i) == '.') {
      int after = digits(s, i + 1);
      if (after == i + 1) {
        throw new InvalidFilterException("a decimal point must be followed by digits in filter \""
            + abbreviate(s) + "\"", i);
      }
      i = after;
      decimal = true;
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
        j++;
      }
      int after = digits(s, j);
      if (after == j) {
        throw new InvalidFilterException("an exponent must have digits in filter \"" + abbreviate(s) + "\"", i);
      }
      i = after;
      decimal = true;
    }
    if (i < s.length() && (Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
      throw new InvalidFilterException("malformed number in filter \"" + abbreviate(s) + "\"", start);
    }
    String text = s.substring(start, i);
    Object value;
    if (decimal) {
      double d = Double.parseDouble(text);
      if (!Double.isFinite(d)) {
        throw new InvalidFilterException("number " + text + " is out of double range in filter \""
            + abbreviate(s) + "\"", start);
      }
      value = d;
    } else {
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new InvalidFilterException("integer " + text + " is out of 64-bit range in filter \""
            + abbreviate(s) + "\"", start);
      }
    }
    out.add(new Token(Kind.NUMBER, text, value, start));
    return i;
  }

  private static int digits(String s, int i) {
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }
}
