#!/usr/bin/python3
"""Parses wikitext (file given as argument) with mwparserfromhell, an independent parser,
and prints what a test needs to check as JSON:
  templates:  top-level templates, each {name, params: {name: {text, templates, other}}}
              where text is the parameter value with character references decoded,
              templates the names of templates nested in it, other the count of any
              other node (links, tags, comments...) inside it;
  headings:   heading titles;  categories: category names (references decoded);
  links:      every wikilink title;  tags / external_links / comments: counts anywhere;
  text:       the page's top-level plain text outside templates, headings and links.
"""
import json
import sys

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink


def decoded(wikicode):
    text, templates, other = "", [], 0
    for node in wikicode.nodes:
        if isinstance(node, Text):
            text += str(node)
        elif isinstance(node, HTMLEntity):
            text += node.normalize()
        elif isinstance(node, Template):
            templates.append(str(node.name).strip())
            text += "{{" + str(node.name).strip() + "}}"
        elif isinstance(node, ExternalLink):
            other += 1
            text += "[" + str(node.url) + "]"
        else:
            other += 1
    return {"text": text.strip(), "templates": templates, "other": other}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        source = f.read()
    code = mwparserfromhell.parse(source)
    assert str(code) == source, "parser did not round-trip"
    result = {"templates": [], "headings": [], "categories": [], "links": [], "text": ""}
    for node in code.nodes:
        if isinstance(node, Template):
            params = {}
            for param in node.params:
                params[str(param.name).strip()] = decoded(param.value)
                params[str(param.name).strip()]["showkey"] = param.showkey
            result["templates"].append({"name": str(node.name).strip(), "params": params})
        elif isinstance(node, Heading):
            result["headings"].append(str(node.title).strip())
        elif isinstance(node, Wikilink):
            title = decoded(node.title)["text"]
            if title.startswith("Category:"):
                result["categories"].append(title[len("Category:"):])
        elif isinstance(node, Text):
            result["text"] += str(node)
        elif isinstance(node, HTMLEntity):
            result["text"] += node.normalize()
    result["links"] = [str(link.title) for link in code.filter_wikilinks()]
    result["tags"] = len(code.filter_tags())
    result["external_links"] = [str(link.url) for link in code.filter_external_links()]
    result["comments"] = len(code.filter(forcetype=Comment))
    result["text"] = result["text"].strip()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
