"""Common Polish first names with their usual inflected forms (for the name warning only)."""

_FEMALE = (
    "Agata Agnieszka Aleksandra Alicja Alina Amelia Aneta Aniela Anna Antonina Barbara Beata Bogumiła Bożena "
    "Cecylia Czesława Danuta Dominika Dorota Edyta Elżbieta Emilia Ewa Ewelina Franciszka Gabriela Genowefa "
    "Grażyna Halina Hanna Helena Henryka Irena Iwona Izabela Jadwiga Janina Joanna Jolanta Józefa Julia "
    "Justyna Kamila Karolina Katarzyna Kazimiera Kinga Klaudia Krystyna Laura Lena Leokadia Lucyna Magdalena "
    "Małgorzata Maria Marianna Marta Marzena Monika Natalia Nikola Oliwia Patrycja Paulina Renata Regina "
    "Róża Sabina Stanisława Stefania Sylwia Teresa Urszula Wanda Weronika Wiesława Wiktoria Zdzisława Zofia "
    "Zuzanna Żaneta Basia Kasia Gosia Ola Asia Zosia Ania Hania Jola Ela Ula Danka Bożenka Krysia Halinka"
)
_MALE = (
    "Adam Adrian Aleksander Andrzej Antoni Arkadiusz Artur Bartosz Bogdan Bogusław Bolesław Czesław Damian "
    "Daniel Dariusz Dawid Dominik Edward Emil Eugeniusz Filip Franciszek Grzegorz Henryk Hubert Ignacy Igor "
    "Jacek Jakub Jan Janusz Jarosław Jerzy Józef Julian Kacper Kamil Karol Kazimierz Konrad Krystian Krzysztof "
    "Leon Leszek Łukasz Maciej Maksymilian Marcin Marek Marian Mariusz Mateusz Michał Mieczysław Mikołaj Miłosz "
    "Norbert Oskar Patryk Paweł Piotr Przemysław Radosław Rafał Ryszard Robert Roman Sebastian Stanisław "
    "Stefan Sylwester Szymon Tadeusz Tomasz Waldemar Wiesław Wiktor Witold Władysław Włodzimierz Wojciech "
    "Zbigniew Zdzisław Zenon Zygmunt Zbyszek Heniek Franek Wojtek Staszek Józek Kazik Romek Jurek Tomek Bartek"
)


def _female_forms(name: str) -> set[str]:
    stem = name[:-1]
    forms = {name, stem + "ą", stem + "ę", stem + "o"}
    if stem.endswith(("i", "j")):
        forms |= {stem, stem + "i"}
    elif stem.endswith(("k", "g")):
        forms |= {stem + "i", stem[:-1] + ("ce" if stem.endswith("k") else "dze")}
    else:
        forms |= {stem + "y", stem + "ie", stem + "i"}
    return forms


def _male_forms(name: str) -> set[str]:
    stem = name[:-2] + name[-1] if name.endswith("ek") and len(name) > 4 else name
    forms = {name, stem + "a", stem + "owi", stem + "em", stem + "ie", stem + "u"}
    if stem.endswith(("k", "g")):
        forms.add(stem + "iem")
    return forms


FIRST_NAMES: frozenset[str] = frozenset(
    form
    for group, inflect in ((_FEMALE, _female_forms), (_MALE, _male_forms))
    for name in group.split()
    for form in inflect(name)
)
