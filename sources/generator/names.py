"""Given names and surnames for synthetic people, most frequent first (weights fall off like real name
frequencies, so common names are shared by many people, as they are). The listed names are followed by a long
tail built from common name parts, so that at national scale a full name is as rare as it is in life (the most
common surname about 1% of people, not 5%)."""

FEMALE = (
    "Maria Jessica Ashley Jennifer Amanda Sarah Brittany Stephanie Elizabeth Emily Samantha Nicole Megan "
    "Hannah Lauren Rachel Kayla Taylor Alexis Destiny Brianna Madison Jasmine Amber Heather Danielle Crystal "
    "Tiffany Melissa Rebecca Katherine Victoria Chelsea Courtney Alyssa Erica Kimberly Andrea Vanessa Natalie "
    "Patricia Margaret Susan Deborah Abigail Olivia Emma Sophia Isabella Ava Mia Chloe Grace Lily Zoe Aaliyah "
    "Kiara Jada Imani Tatiana Diamond Ebony Guadalupe Rosa Ana Lucia Carmen Yesenia Leticia Alejandra Daniela "
    "Gabriela Fernanda Mariana Valeria Elena Sofia Ximena Paola Adriana Claudia Veronica Julia Angela Christina "
    "Cynthia Sandra Valerie Kristen Amy Laura Linh Mai Thi Hoa Li Mei Svetlana Olga Natasha Irina Esperanza"
).split()
MALE = (
    "Michael Christopher Joshua Matthew Daniel David James Robert John Joseph Andrew Ryan Brandon Jason "
    "Justin William Jonathan Anthony Nicholas Tyler Kevin Steven Thomas Eric Jacob Alexander Benjamin Samuel "
    "Gregory Jeffrey Jose Juan Luis Carlos Jesus Miguel Francisco Antonio Pedro Manuel Jorge Ricardo Eduardo "
    "Guillermo Ignacio Alejandro Fernando Rafael Roberto Mario Oscar Hector Raul Marco Diego Javier Sergio "
    "Andres Ivan Pablo Emilio Nam Minh Tuan Wei Jun Dmitri Sergei Mohammed Ahmed Omar Ali Kwame Emmanuel "
    "Jamal Darnell DeShawn Terrell Malik Andre Marcus Isaiah Elijah Noah Liam Mason Logan Ethan Caleb"
).split()
SURNAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz "
    "Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson "
    "Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins "
    "Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero "
    "Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant "
    "Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford "
    "Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer "
    "Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels "
    "Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold "
    "Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards "
    "Contreras Willis Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins "
    "Greene Nunez Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin "
    "Dominguez Carr Lawson Jacobs OBrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson "
    "Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch "
    "Rojas Lucas Marquez Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia "
    "Davidson Acosta Brewer May Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett "
    "Navarro Figueroa Keller Avila Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck "
    "Lambert Miranda Byrd Craig Ayala Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes "
    "Shelton Schwartz Norris Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker "
    "Holt DeLeon Barker Terry Hale Leon Hail Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton "
    "Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love Robles Cervantes "
    "Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins Aguirre"
).split()

_SURNAME_STEMS = ("Ander", "Bal", "Bar", "Bel", "Brad", "Car", "Chal", "Dal", "Dun", "Ed", "Fair", "Fitz", "Gal",
                  "Gar", "Hal", "Har", "Hol", "Kir", "Lind", "Lang", "Mar", "Mor", "Nor", "Ost", "Pem", "Ros", "Stan",
                  "Thorn", "Wal", "Wex", "Whit", "Ash", "Black", "Brook", "Cran", "Elm", "Good", "Hart", "Kel", "Rad")
_SURNAME_ENDS = ("son", "sen", "berg", "stein", "ley", "ton", "field", "man", "ski", "ez", "ova", "ich", "well",
                 "wood", "ford", "more", "ham", "by", "ard", "ini", "ow", "ers", "ing", "dale", "worth", "ridge",
                 "ick", "er", "es", "ane")
_FEMALE_STEMS = ("Ka", "Ja", "Bri", "Ma", "Lei", "Ta", "Ke", "Ari", "Sha", "Na", "Ro", "Da", "Li", "Ana", "Ye",
                 "Mi", "Ev", "Al", "Re", "Cae")
_FEMALE_ENDS = ("lyn", "na", "ela", "ria", "nia", "dence", "sha", "ley", "ra", "lee", "ssa", "tte", "ya", "lia",
                "mi", "ne", "rah", "nda", "sia", "la")
_MALE_STEMS = ("Ja", "Ka", "Bra", "Tre", "De", "Ma", "Ro", "Da", "Ke", "Jo", "Cal", "Lu", "Gre", "Ra", "Xa", "Ty",
               "Qui", "Ze", "Ha", "Dar")
_MALE_ENDS = ("den", "von", "lin", "ron", "shawn", "son", "rick", "mar", "quan", "ton", "vin", "dan", "el", "ius",
              "ren", "don", "lan", "ric", "van", "ley")

SURNAMES = tuple(SURNAMES) + tuple(dict.fromkeys(s + e for s in _SURNAME_STEMS for e in _SURNAME_ENDS
                                          if s + e not in SURNAMES))
FEMALE = tuple(FEMALE) + tuple(dict.fromkeys(s + e for s in _FEMALE_STEMS for e in _FEMALE_ENDS if s + e not in FEMALE))
MALE = tuple(MALE) + tuple(dict.fromkeys(s + e for s in _MALE_STEMS for e in _MALE_ENDS if s + e not in MALE))
