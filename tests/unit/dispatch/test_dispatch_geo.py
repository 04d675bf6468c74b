import pytest

from services.dispatch.domain.geo import Point, Territory, covers, distance_km, inside

PEOPLES_SQUARE = Point(31.2304, 121.4737)
LUJIAZUI = Point(31.2397, 121.4998)
BEIJING = Point(39.9042, 116.4074)
# A concave "L" around People's Square: the notch to the north-east is outside.
L_SHAPE = (Point(31.20, 121.44), Point(31.20, 121.52), Point(31.23, 121.52), Point(31.23, 121.48),
           Point(31.26, 121.48), Point(31.26, 121.44))


def test_distance_is_the_great_circle_distance():
    assert distance_km(PEOPLES_SQUARE, BEIJING) == pytest.approx(1067, abs=5)
    assert distance_km(PEOPLES_SQUARE, LUJIAZUI) == pytest.approx(2.66, abs=0.05)
    assert distance_km(LUJIAZUI, PEOPLES_SQUARE) == distance_km(PEOPLES_SQUARE, LUJIAZUI)
    assert distance_km(BEIJING, BEIJING) == 0


def test_a_city_covers_all_its_districts():
    shanghai = Territory(frozenset({"shanghai"}))
    assert covers(shanghai, "shanghai/pudong")
    assert covers(shanghai, "shanghai")
    assert not covers(shanghai, "suzhou/gusu")


def test_a_district_covers_only_itself_and_not_a_visit_known_only_by_its_city():
    pudong = Territory(frozenset({"shanghai/pudong"}))
    assert covers(pudong, "shanghai/pudong")
    assert not covers(pudong, "shanghai/xuhui")
    assert not covers(pudong, "shanghai")  # the visit could be in any district


def test_a_city_code_is_not_a_prefix_match():
    assert not covers(Territory(frozenset({"shang"})), "shanghai/pudong")


def test_a_polygon_covers_visits_whose_coordinates_fall_inside_it():
    beat = Territory(polygon=L_SHAPE)
    assert covers(beat, "shanghai/huangpu", Point(31.21, 121.50))  # the foot of the L
    assert covers(beat, "shanghai/jingan", Point(31.25, 121.46))  # its upright
    assert not covers(beat, "shanghai/huangpu", Point(31.25, 121.50))  # in the notch
    assert not covers(beat, "shanghai/huangpu", None)  # no coordinates: only an area code could cover it


def test_area_codes_or_the_polygon_either_suffice():
    both = Territory(frozenset({"shanghai/pudong"}), L_SHAPE)
    assert covers(both, "shanghai/pudong", Point(0, 0))
    assert covers(both, "shanghai/jingan", Point(31.25, 121.46))


def test_ray_casting_on_a_square():
    square = (Point(0, 0), Point(0, 1), Point(1, 1), Point(1, 0))
    assert inside(square, Point(0.5, 0.5))
    assert not inside(square, Point(1.5, 0.5))
    assert not inside(square, Point(0.5, -0.1))
